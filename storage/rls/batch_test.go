package rls_test

import (
	"context"
	"errors"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/rls"
)

func TestInTenantBatchScopesOneRoundTrip(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	pool := db.Pool(t, rls.AppRole, 1)
	a, b := uuid.NewString(), uuid.NewString()
	for _, tenant := range []string{a, b} {
		batch := &pgx.Batch{}
		batch.Queue("INSERT INTO notes (tenant_id, body) VALUES (footing_current_tenant(), 'n')")
		if err := rls.InTenantBatch(as(tenant, "u"), pool, batch); err != nil {
			t.Fatal(err)
		}
	}
	var seen string
	var count int
	batch := &pgx.Batch{}
	batch.Queue("SELECT footing_current_tenant()::text").QueryRow(func(r pgx.Row) error { return r.Scan(&seen) })
	batch.Queue("SELECT count(*) FROM notes").QueryRow(func(r pgx.Row) error { return r.Scan(&count) })
	if err := rls.InTenantBatch(as(a, "u"), pool, batch); err != nil {
		t.Fatal(err)
	}
	if seen != a || count != 1 {
		t.Fatalf("batch saw tenant %s and %d rows; want %s and 1", seen, count, a)
	}
	// The implicit transaction is atomic: a failing statement undoes the ones before it.
	batch = &pgx.Batch{}
	batch.Queue("INSERT INTO notes (tenant_id, body) VALUES (footing_current_tenant(), 'lost')")
	batch.Queue("SELECT 1/0")
	err := rls.InTenantBatch(as(a, "u"), pool, batch)
	if errs.From(err).Code != connect.CodeInternal {
		t.Fatalf("division by zero: %v", err)
	}
	// Afterwards the connection carries no tenant and sees nothing.
	var after *string
	if err := pool.QueryRow(context.Background(), "SELECT footing_current_tenant()::text || (SELECT count(*) FROM notes)::text").Scan(&after); err != nil || after != nil {
		t.Fatalf("after batches: %v, %v", after, err)
	}
	err = rls.InTenantBatch(context.Background(), pool, &pgx.Batch{})
	if errs.From(err).Code != connect.CodeUnauthenticated {
		t.Fatalf("no principal: %v", err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		t.Fatal("a query ran without a principal")
	}
	batch = &pgx.Batch{}
	batch.Queue("SELECT count(*) FROM notes WHERE body = 'lost'").QueryRow(func(r pgx.Row) error { return r.Scan(&count) })
	if err := rls.InTenantBatch(as(a, "u"), pool, batch); err != nil || count != 0 {
		t.Fatalf("rolled-back row visible: %d, %v", count, err)
	}
}
