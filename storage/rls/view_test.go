package rls_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/storage/rls"
)

// TestCheckRoleRefusesViewsThatSkipRLS: a view reads its tables with its owner's rights,
// and Postgres skips RLS for a superuser or BYPASSRLS owner (or the owner of a table not
// FORCE'd). A view over a tenant table created by a migration run as a superuser — the
// README allowed that — showed every tenant's rows to the app role, scoped to one tenant,
// while CheckRole returned nil. A security_invoker view, or one owned by footing_owner
// (held to RLS by FORCE), is fine.
func TestCheckRoleRefusesViewsThatSkipRLS(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	exec(t, db,
		"CREATE VIEW notes_by_super AS SELECT tenant_id, body FROM notes",
		"CREATE MATERIALIZED VIEW notes_mat AS SELECT tenant_id, body FROM notes",
		"CREATE VIEW notes_invoker WITH (security_invoker = true) AS SELECT tenant_id, body FROM notes",
		"CREATE VIEW notes_other AS SELECT 1 AS one",
		"GRANT SELECT ON notes_by_super, notes_mat, notes_invoker, notes_other TO "+rls.AppRole,
		"SET ROLE "+rls.OwnerRole,
		"CREATE VIEW notes_by_owner AS SELECT tenant_id, body FROM notes",
	)
	a, b := uuid.NewString(), uuid.NewString()
	for _, tenant := range []string{a, b} {
		ctx := as(tenant, "u")
		if err := rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO notes (tenant_id, body) VALUES ($1, 'x')", tenant)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	ctx := as(a, "u")
	var n int
	if err := rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT count(*) FROM notes_by_super").Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("the superuser's view shows tenant %s %d rows; the premise is that it shows both tenants'", a, n)
	}
	err := rls.CheckRole(context.Background(), db.App)
	wantBypassed(t, err, rls.AppRole, rls.CauseView, []string{"notes_by_super", "notes_mat"}, []string{"notes_invoker", "notes_by_owner", "notes_other"})
}
