package migrate_test

import (
	"context"
	"fmt"

	"github.com/footingdev/footing/storage/migrate"
	"github.com/footingdev/footing/storage/pgtest"
)

func Example() {
	ctx := context.Background()
	db, err := pgtest.Create(ctx) // a fresh database; a service uses its owner-role pool
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	m, err := migrate.New(db.Owner, migrate.Config{Migrations: appMigrations})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	if err := m.Up(ctx); err != nil {
		fmt.Println(err)
		return
	}
	st, _ := m.Status(ctx)
	last := st.Migrations[len(st.Migrations)-1]
	fmt.Println(last.File, last.Origin, last.Applied, st.Pending())
	// Output: 20260101000000_widgets.sql app true false
}
