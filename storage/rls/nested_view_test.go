package rls_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/storage/rls"
)

// TestCheckRoleRefusesViewsOverViewsThatSkipRLS: a view reads the views it names with
// its owner's rights, and they read their tables with their own owners' (a
// security_invoker view, with the rights of the query's user, wherever it is named). A
// view the app role may read, over views it may not read, one of which a superuser owns,
// shows every tenant's rows — CheckRole looked only at the tables a readable view names
// itself, and returned nil. A chain of views owned by footing_owner (held to RLS by
// FORCE), and a superuser's view over a security_invoker view, are fine.
func TestCheckRoleRefusesViewsOverViewsThatSkipRLS(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	exec(t, db,
		// Superuser views over notes (hid_6 two levels up), none readable by the app role.
		"CREATE VIEW hid_1 AS SELECT tenant_id, body FROM notes",
		"CREATE VIEW hid_2 WITH (security_invoker = true) AS SELECT tenant_id, body FROM notes",
		"CREATE VIEW hid_3 AS SELECT tenant_id, body FROM notes",
		"CREATE VIEW hid_6 AS SELECT * FROM hid_3",
		"GRANT SELECT ON hid_3, hid_6 TO "+rls.OwnerRole,
		// Readable by the app role.
		"CREATE VIEW leak_a AS SELECT * FROM hid_1",
		"CREATE VIEW safe_invoker AS SELECT * FROM hid_2",
		"GRANT SELECT ON leak_a, safe_invoker TO "+rls.AppRole,
		// footing_owner's views, readable by the app role (00001's default privileges).
		"SET ROLE "+rls.OwnerRole,
		"CREATE VIEW hid_4 AS SELECT tenant_id, body FROM notes",
		"CREATE VIEW safe_chain AS SELECT * FROM hid_4",
		"CREATE VIEW leak_b AS SELECT * FROM hid_6",
		"CREATE VIEW leak_c AS SELECT * FROM hid_3",
		"REVOKE SELECT ON hid_4 FROM "+rls.AppRole,
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
	for view, want := range map[string]int{"leak_a": 2, "leak_b": 2, "leak_c": 2, "safe_chain": 1, "safe_invoker": 1} {
		var n int
		if err := rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, "SELECT count(*) FROM "+view).Scan(&n)
		}); err != nil {
			t.Fatalf("%s: %v", view, err)
		}
		if n != want {
			t.Fatalf("%s shows tenant %s %d rows; the premise is %d", view, a, n, want)
		}
	}
	err := rls.CheckRole(context.Background(), db.App)
	wantBypassed(t, err, rls.AppRole, rls.CauseView, []string{"leak_a", "leak_b", "leak_c"}, []string{"safe_", "hid_"})
}
