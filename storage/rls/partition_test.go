package rls_test

import (
	"context"
	"testing"

	"connectrpc.com/connect"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/pg"
	"github.com/footingdev/footing/storage/rls"
)

// TestPartitionsAreUnderTenantRLS: Postgres checks a partition named in a query against
// the partition's own row-level security, never its parent's. footing_enable_tenant_rls
// on a partitioned table set up only the parent, so as the app role, scoped to tenant A,
// SELECT from a partition returned tenant B's rows too.
func TestPartitionsAreUnderTenantRLS(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	exec(t, db,
		"SET ROLE "+rls.OwnerRole,
		"CREATE TABLE events (tenant_id uuid NOT NULL, id bigint NOT NULL, at date NOT NULL) PARTITION BY RANGE (at)",
		"CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') PARTITION BY LIST (id)",
		"CREATE TABLE events_2026_1 PARTITION OF events_2026 FOR VALUES IN (1)",
		"SELECT footing_enable_tenant_rls('events')",
		// Attached later: the call again covers it (and repeats harmlessly for the rest).
		"CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')",
		"SELECT footing_enable_tenant_rls('events')",
	)
	a, b := uuid.NewString(), uuid.NewString()
	for _, tenant := range []string{a, b} {
		ctx := as(tenant, "u")
		if err := rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO events VALUES ($1, 1, '2026-05-01'), ($1, 2, '2027-05-01')", tenant)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	ctx := as(a, "u")
	if err := rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
		for table, want := range map[string]int{"events": 2, "events_2026": 1, "events_2026_1": 1, "events_2027": 1} {
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+table+" WHERE tenant_id <> $1", a).Scan(&n); err != nil {
				return err
			}
			if n != 0 {
				t.Errorf("%s: tenant A sees %d of tenant B's rows", table, n)
			}
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
				return err
			}
			if n != want {
				t.Errorf("%s: tenant A sees %d rows, want its own %d", table, n, want)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Writing another tenant's row into a partition directly is refused too.
	err := rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO events_2027 VALUES ($1, 3, '2027-06-01')", b)
		return err
	})
	if d := errs.From(pg.MapError(err)); d.Code != connect.CodePermissionDenied {
		t.Errorf("tenant A writing tenant B's row into a partition: %v; want PermissionDenied", err)
	}
}

// TestCheckRoleRefusesPartitionsWithoutRLS: a partition attached after
// footing_enable_tenant_rls ran is not under RLS until the call is repeated, and the app
// role may read it (default privileges): CheckRole names it.
func TestCheckRoleRefusesPartitionsWithoutRLS(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	exec(t, db,
		"SET ROLE "+rls.OwnerRole,
		"CREATE TABLE events (tenant_id uuid NOT NULL, at date NOT NULL) PARTITION BY RANGE (at)",
		"CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
		"SELECT footing_enable_tenant_rls('events')",
		"CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')",
	)
	err := rls.CheckRole(context.Background(), db.App)
	wantBypassed(t, err, rls.AppRole, rls.CausePartition, []string{"events_2027"}, []string{"events_2026"})
	exec(t, db, "SELECT footing_enable_tenant_rls('events')")
	if err := rls.CheckRole(context.Background(), db.App); err != nil {
		t.Fatalf("after footing_enable_tenant_rls again: %v", err)
	}
}
