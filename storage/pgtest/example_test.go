package pgtest_test

import (
	"context"
	"fmt"

	"github.com/footingdev/footing/storage/pgtest"
)

func Example() {
	// In a test: db := pgtest.New(t); it is dropped when the test ends.
	db, err := pgtest.Create(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	var user string
	_ = db.App.QueryRow(context.Background(), "SELECT current_user").Scan(&user)
	fmt.Println(user)
	// Output: footing_app
}
