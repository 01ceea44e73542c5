package loadgen_test

import (
	"context"
	"fmt"
	"time"

	"github.com/footingdev/footing/examples/loadgen"
)

func ExampleRun() {
	res, err := loadgen.Run(context.Background(),
		loadgen.Config{Rate: 200, Duration: 100 * time.Millisecond},
		loadgen.Op{Name: "get", Weight: 4, Do: func(context.Context) error { return nil }},
		loadgen.Op{Name: "create", Weight: 1, Do: func(context.Context) error { return nil }},
	)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Requests, res.Errors, res.Ops[0].Requests, res.Ops[1].Requests)
	// Output: 20 0 16 4
}
