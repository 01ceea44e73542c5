package adr_test

import (
	"fmt"

	"github.com/footingdev/footing/examples/adr"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
)

func ExampleMarkdown() {
	fmt.Print(adr.Markdown(&adrv1.ADR{
		Title:    "Use Postgres",
		Status:   adrv1.Status_STATUS_ACCEPTED,
		Tags:     []string{"storage"},
		Author:   "ada",
		Version:  2,
		Decision: "We will keep every tenant's data in one Postgres, under row-level security.",
	}))
	// Output:
	// # Use Postgres
	//
	// - Status: accepted
	// - Tags: storage
	// - Author: ada
	// - Version: 2
	//
	// ## Decision
	//
	// We will keep every tenant's data in one Postgres, under row-level security.
}
