package rls_test

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

func Example() {
	// In a test: db := pgtest.New(t, ...). Here the example makes and drops its own database.
	db, err := pgtest.Create(context.Background(), pgtest.WithMigrations(notesMigration), pgtest.WithoutRiver())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{
		Subject: "alice", UserId: "u-alice", TenantId: "8d5e2a34-6a5c-4f5e-9f0e-2b1f6c0b1a11",
	})
	err = rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO notes (tenant_id, body) VALUES (footing_current_tenant(), 'hello')")
		return err
	})
	fmt.Println("insert:", err)

	err = rls.InTenant(context.Background(), db.App, func(pgx.Tx) error { return nil })
	fmt.Println("without a principal:", err)
	// Output:
	// insert: <nil>
	// without a principal: unauthenticated: no authenticated principal for a tenant-scoped transaction
}

func ExampleCheckRole() {
	ctx := context.Background()
	db, err := pgtest.Create(ctx, pgtest.WithMigrations(notesMigration), pgtest.WithoutRiver())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	// At start-up, on the pool the service serves tenants from: refuse to start on an error.
	fmt.Println("app role:", rls.CheckRole(ctx, db.App))

	// A superuser skips every policy: CheckRole says so instead of serving all tenants.
	su, err := pgx.Connect(ctx, db.SuperuserURL())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer su.Close(ctx)
	d := errs.From(rls.CheckRole(ctx, su))
	fmt.Println("superuser:", d.Code, d.Reason, d.Metadata["cause"])
	// Output:
	// app role: <nil>
	// superuser: failed_precondition RLS_BYPASSED superuser
}
