package pg_test

import (
	"context"
	"fmt"

	"github.com/footingdev/footing/storage/pg"
)

func Example() {
	ctx := context.Background()
	pool, err := pg.New(ctx, pg.Config{URL: testURL(), MaxConns: 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()

	fmt.Println("healthy:", pg.Health(ctx, pool) == nil)
	// Output: healthy: true
}
