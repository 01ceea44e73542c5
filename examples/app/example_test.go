package app_test

import (
	"fmt"

	"github.com/footingdev/footing/examples/app"
	"github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1/adrv1connect"
)

func ExamplePolicy() {
	policy, err := app.Policy()
	if err != nil {
		panic(err)
	}
	create, _ := policy.Lookup(adrv1connect.ADRServiceCreateADRProcedure)
	_, listed := policy.Lookup("/debug/pprof/")
	fmt.Println(create.Scopes, listed)
	// Output: [adr:write] false
}

func ExampleDevURLs() {
	_, appURL, _ := app.DevURLs("postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	fmt.Println(appURL)
	// Output: postgres://footing_app:footing_app@127.0.0.1:5432/footing_adr_dev?sslmode=disable
}
