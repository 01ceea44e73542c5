package rls_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

// guardRole creates a LOGIN role with a unique name, attrs and a password, and drops it
// (and what it owns in db) when t ends. It returns the name and the password.
func guardRole(t *testing.T, db *pgtest.DB, attrs string) (name, password string) {
	t.Helper()
	suffix := strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	name, password = "footing_guard_"+suffix, "pw-"+suffix
	admin := connectURL(t, db.SuperuserURL())
	if _, err := admin.Exec(context.Background(), "CREATE ROLE "+name+" LOGIN "+attrs+" PASSWORD '"+password+"'"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, db.SuperuserURL())
		if err != nil {
			t.Errorf("drop role %s: %v", name, err)
			return
		}
		defer func() { _ = conn.Close(ctx) }()
		if _, err := conn.Exec(ctx, "DROP OWNED BY "+name); err != nil {
			t.Errorf("drop owned by %s: %v", name, err)
		}
		if _, err := conn.Exec(ctx, "DROP ROLE "+name); err != nil {
			t.Errorf("drop role %s: %v", name, err)
		}
	})
	return name, password
}

// connectURL opens a connection closed when t ends.
func connectURL(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// connectAs opens a connection to db as role.
func connectAs(t *testing.T, db *pgtest.DB, role, password string) *pgx.Conn {
	t.Helper()
	u, err := url.Parse(db.SuperuserURL())
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(role, password)
	return connectURL(t, u.String())
}

// exec runs statements as the superuser on db.
func exec(t *testing.T, db *pgtest.DB, stmts ...string) {
	t.Helper()
	conn := connectURL(t, db.SuperuserURL())
	for _, s := range stmts {
		if _, err := conn.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// wantBypassed fails t unless err is CheckRole's FailedPrecondition RLS_BYPASSED for role
// with exactly causes, a message holding every one of contains and none of absent.
func wantBypassed(t *testing.T, err error, role, causes string, contains, absent []string) {
	t.Helper()
	d := errs.From(err)
	if d.Code != connect.CodeFailedPrecondition || d.Reason != rls.ReasonRLSBypassed {
		t.Fatalf("got %v %q (%v), want FailedPrecondition %s", d.Code, d.Reason, err, rls.ReasonRLSBypassed)
	}
	if d.Metadata["role"] != role || d.Metadata["cause"] != causes {
		t.Fatalf("metadata %v, want role=%s cause=%s", d.Metadata, role, causes)
	}
	if !strings.Contains(d.Message, `"`+role+`"`) {
		t.Fatalf("message %q does not name role %s", d.Message, role)
	}
	for _, s := range contains {
		if !strings.Contains(d.Message, s) {
			t.Fatalf("message %q lacks %q", d.Message, s)
		}
	}
	for _, s := range append(absent, "postgres://", "password") {
		if strings.Contains(d.Message, s) {
			t.Fatalf("message %q holds %q", d.Message, s)
		}
	}
}

func TestCheckRolePassesTheFootingRoles(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	// The app role is what a service logs in as; the owner owns every table, but
	// footing_enable_tenant_rls forces RLS on them. (The system role is refused:
	// TestCheckRoleRefusesTheSystemRole.)
	for _, role := range []string{rls.AppRole, rls.OwnerRole} {
		t.Run(role, func(t *testing.T) {
			pool := db.Pool(t, role, 1)
			if err := rls.CheckRole(context.Background(), pool); err != nil {
				t.Fatalf("CheckRole as %s: %v", role, err)
			}
		})
	}
}

func TestCheckRoleRefusesASuperuser(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	conn := connectURL(t, db.SuperuserURL())
	var me string
	if err := conn.QueryRow(context.Background(), "SELECT current_user").Scan(&me); err != nil {
		t.Fatal(err)
	}
	err := rls.CheckRole(context.Background(), conn)
	// The superuser passes for the owner of every table (notes is not even FORCE'd for it,
	// being owned by footing_owner); the error says superuser, and only that.
	wantBypassed(t, err, me, rls.CauseSuperuser, []string{"it is a superuser"}, []string{"BYPASSRLS", "owns"})
}

func TestCheckRoleRefusesBypassRLS(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	role, password := guardRole(t, db, "NOSUPERUSER BYPASSRLS")
	err := rls.CheckRole(context.Background(), connectAs(t, db, role, password))
	wantBypassed(t, err, role, rls.CauseBypassRLS, []string{"it has BYPASSRLS"}, []string{password, "superuser", "owns"})
}

func TestCheckRoleRefusesTheOwnerOfAnUnforcedTable(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	role, password := guardRole(t, db, "NOSUPERUSER NOBYPASSRLS")
	exec(t, db,
		"CREATE TABLE guard_unforced (tenant_id uuid)",
		"ALTER TABLE guard_unforced ENABLE ROW LEVEL SECURITY",
		"ALTER TABLE guard_unforced OWNER TO "+role,
		// Without RLS at all: not a tenant table as far as CheckRole knows.
		"CREATE TABLE guard_plain (tenant_id uuid)",
		"ALTER TABLE guard_plain OWNER TO "+role,
	)
	conn := connectAs(t, db, role, password)
	err := rls.CheckRole(context.Background(), conn)
	wantBypassed(t, err, role, rls.CauseOwner,
		[]string{"it owns tables without FORCE ROW LEVEL SECURITY: guard_unforced"},
		[]string{password, "guard_plain", "superuser", "BYPASSRLS", "more"})

	exec(t, db, "ALTER TABLE guard_unforced FORCE ROW LEVEL SECURITY")
	if err := rls.CheckRole(context.Background(), conn); err != nil {
		t.Fatalf("after FORCE ROW LEVEL SECURITY: %v", err)
	}
}

func TestCheckRoleRefusesOwnershipThroughMembership(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	owner, _ := guardRole(t, db, "NOSUPERUSER NOBYPASSRLS")
	member, password := guardRole(t, db, "NOSUPERUSER NOBYPASSRLS INHERIT")
	exec(t, db,
		"CREATE TABLE guard_inherited (tenant_id uuid)",
		"ALTER TABLE guard_inherited ENABLE ROW LEVEL SECURITY",
		"ALTER TABLE guard_inherited OWNER TO "+owner,
		"GRANT "+owner+" TO "+member,
	)
	err := rls.CheckRole(context.Background(), connectAs(t, db, member, password))
	wantBypassed(t, err, member, rls.CauseOwner, []string{"guard_inherited"}, []string{password})
}

func TestCheckRoleListsAtMostFiveTables(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	role, password := guardRole(t, db, "NOSUPERUSER BYPASSRLS")
	var stmts []string
	for i := range 7 {
		tbl := fmt.Sprintf("guard_t%d", i)
		stmts = append(stmts, "CREATE TABLE "+tbl+" (tenant_id uuid)",
			"ALTER TABLE "+tbl+" ENABLE ROW LEVEL SECURITY", "ALTER TABLE "+tbl+" OWNER TO "+role)
	}
	exec(t, db, stmts...)
	err := rls.CheckRole(context.Background(), connectAs(t, db, role, password))
	wantBypassed(t, err, role, rls.CauseBypassRLS+","+rls.CauseOwner,
		[]string{"it has BYPASSRLS; it owns tables without FORCE ROW LEVEL SECURITY: guard_t0, guard_t1, guard_t2, guard_t3, guard_t4 and 2 more"},
		[]string{"guard_t5", "guard_t6"})
}

func TestCheckRoleQueryFailure(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ctx := context.Background()
	tx, err := db.App.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	_, _ = tx.Exec(ctx, "SELECT 1/0") // The transaction is aborted: the next query fails.
	err = rls.CheckRole(ctx, tx)
	if err == nil {
		t.Fatal("CheckRole in an aborted transaction: nil error")
	}
	if d := errs.From(err); d.Reason == rls.ReasonRLSBypassed || d.Code != connect.CodeInternal {
		t.Fatalf("got %v %q, want Internal, not %s", d.Code, d.Reason, rls.ReasonRLSBypassed)
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "25P02" {
		t.Fatalf("errors.As(*pgconn.PgError) = %v, want SQLSTATE 25P02; err %v", pe, err)
	}
}

// TestCheckRoleRefusesAMemberOfTheSystemRole: a role that has footing_system's privileges
// (GRANT footing_system TO it, INHERIT) gets the footing_system_access policy on every
// tenant table, so with a tenant set it still sees every tenant's rows — RLS "binds" it,
// but through a policy that shows everything. CheckRole said nil for it.
func TestCheckRoleRefusesAMemberOfTheSystemRole(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	member, password := guardRole(t, db, "NOSUPERUSER NOBYPASSRLS INHERIT")
	exec(t, db, "GRANT "+rls.AppRole+" TO "+member, "GRANT "+rls.SystemRole+" TO "+member)
	a := twoTenantsWithANote(t, db)
	conn := connectAs(t, db, member, password)
	if n := notesSeenIn(t, conn, a); n != 2 {
		t.Fatalf("a member of %s sees %d rows in tenant %s; the premise is that it sees both tenants'", rls.SystemRole, n, a)
	}
	err := rls.CheckRole(context.Background(), conn)
	wantBypassed(t, err, member, rls.CauseSystem, []string{rls.SystemRole}, []string{password})
}

// TestCheckRoleRefusesTheSystemRole: footing_system is rls.System's role, and its
// footing_system_access policy shows it every tenant's rows inside a tenant's
// transaction. A service whose DATABASE_URL logs in as it would serve every tenant's
// rows to every tenant, exactly as a member of it would; CheckRole passed it.
func TestCheckRoleRefusesTheSystemRole(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	a := twoTenantsWithANote(t, db)
	pool := db.Pool(t, rls.SystemRole, 1)
	if n := notesSeenIn(t, pool, a); n != 2 {
		t.Fatalf("%s sees %d rows in tenant %s; the premise is that it sees both tenants'", rls.SystemRole, n, a)
	}
	err := rls.CheckRole(context.Background(), pool)
	wantBypassed(t, err, rls.SystemRole, rls.CauseSystem, []string{rls.SystemRole}, nil)
}

// twoTenantsWithANote writes a note for each of two new tenants, as the app role, and
// returns the first tenant.
func twoTenantsWithANote(t *testing.T, db *pgtest.DB) string {
	t.Helper()
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
	return a
}

// notesSeenIn counts the notes db shows inside tenant's transaction.
func notesSeenIn(t *testing.T, db rls.Beginner, tenant string) int {
	t.Helper()
	ctx := as(tenant, "u")
	var n int
	if err := rls.InTenant(ctx, db, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT count(*) FROM notes").Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}
