package rls_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/rls"
)

// countingBeginner counts transactions actually started.
type countingBeginner struct {
	rls.Beginner
	n int
}

func (c *countingBeginner) BeginTx(ctx context.Context, o pgx.TxOptions) (pgx.Tx, error) {
	c.n++
	return c.Beginner.BeginTx(ctx, o)
}

func TestInTenantRefusesWithoutTenant(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	tests := []struct {
		name   string
		ctx    context.Context
		code   connect.Code
		reason string
	}{
		{"no principal", context.Background(), connect.CodeUnauthenticated, "NO_PRINCIPAL"},
		{"no tenant", identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "svc"}), connect.CodeFailedPrecondition, "NO_TENANT"},
		{"tenant not a uuid", as("acme", "u1"), connect.CodeFailedPrecondition, "TENANT_ID_INVALID"},
		{"tenant in braces", as("{"+uuid.NewString()+"}", "u1"), connect.CodeFailedPrecondition, "TENANT_ID_INVALID"},
		{"user with NUL", as(uuid.NewString(), "a\x00b"), connect.CodeFailedPrecondition, "USER_ID_INVALID"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &countingBeginner{Beginner: db.App}
			ran := false
			err := rls.InTenant(tc.ctx, b, func(pgx.Tx) error { ran = true; return nil })
			d := errs.From(err)
			if d.Code != tc.code || d.Reason != tc.reason {
				t.Fatalf("got %v %q, want %v %q", d.Code, d.Reason, tc.code, tc.reason)
			}
			if ran || b.n != 0 {
				t.Fatalf("fn ran=%v, transactions started=%d; want none", ran, b.n)
			}
		})
	}
}

func TestInTenantSetsTenantAndUserForTheTransactionOnly(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	pool := db.Pool(t, rls.AppRole, 1) // one connection: the next transaction reuses it
	tenant := uuid.NewString()
	ctx := as(strings.ToUpper(tenant), `o'brien\x`)
	var gotTenant, gotUser string
	err := rls.InTenant(ctx, pool, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT footing_current_tenant()::text, footing_current_user()").Scan(&gotTenant, &gotUser)
	})
	if err != nil {
		t.Fatal(err)
	}
	if gotTenant != tenant || gotUser != `o'brien\x` {
		t.Fatalf("in tx: tenant=%q user=%q", gotTenant, gotUser)
	}
	var after *string
	if err := pool.QueryRow(context.Background(), "SELECT footing_current_tenant()::text").Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != nil {
		t.Fatalf("tenant %q still set after commit", *after)
	}
}

func TestInTenantRollsBackOnErrorAndPanic(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	tenant := uuid.NewString()
	ctx := as(tenant, "u")
	boom := errors.New("boom")
	err := rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO notes (tenant_id, body) VALUES ($1, 'x')", tenant); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want fn's error", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("panic swallowed")
			}
		}()
		_ = rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
			_, _ = tx.Exec(ctx, "INSERT INTO notes (tenant_id, body) VALUES ($1, 'y')", tenant)
			panic("fn panicked")
		})
	}()
	var n int
	if err := rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT count(*) FROM notes").Scan(&n)
	}); err != nil || n != 0 {
		t.Fatalf("rows after rollbacks = %d, %v; want 0", n, err)
	}
}

// TestInTenantRollsBackWhenFnNeverReturns: fn leaving through runtime.Goexit (what
// t.Fatal does inside it) rolls the transaction back, as a returned error or a
// panic does, instead of leaving it open on its connection. The test uses a
// connection of its own, which it closes whatever happens, so a regression fails
// here instead of hanging the database's cleanup.
func TestInTenantRollsBackWhenFnNeverReturns(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	conn, err := pgx.ConnectConfig(context.Background(), db.App.Config().ConnConfig.Copy())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	tenant := uuid.NewString()
	ctx := as(tenant, "u")
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = rls.InTenant(ctx, conn, func(tx pgx.Tx) error {
			_, _ = tx.Exec(ctx, "INSERT INTO notes (tenant_id, body) VALUES ($1, 'z')", tenant)
			runtime.Goexit()
			return nil
		})
	}()
	<-done
	if st := conn.PgConn().TxStatus(); st != 'I' {
		t.Fatalf("transaction status %q after fn left through Goexit, want 'I' (idle, no transaction)", st)
	}
	var n int
	if err := rls.InTenant(ctx, conn, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT count(*) FROM notes").Scan(&n)
	}); err != nil || n != 0 {
		t.Fatalf("rows after Goexit = %d, %v; want 0", n, err)
	}
}

func TestInTenantWithRetriesSerializationFailures(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ctx := as(uuid.NewString(), "u")
	attempts := 0
	err := rls.InTenantWith(ctx, db.App, rls.TxOptions{IsoLevel: pgx.Serializable, Retries: 2}, func(tx pgx.Tx) error {
		attempts++
		var iso string
		if err := tx.QueryRow(ctx, "SHOW transaction_isolation").Scan(&iso); err != nil {
			return err
		}
		if iso != "serializable" {
			return errors.New("isolation " + iso)
		}
		if attempts < 3 {
			return &pgconn.PgError{Code: "40001"}
		}
		return nil
	})
	if err != nil || attempts != 3 {
		t.Fatalf("err=%v attempts=%d; want nil after 3", err, attempts)
	}
	attempts = 0
	err = rls.InTenantWith(ctx, db.App, rls.TxOptions{Retries: 1}, func(pgx.Tx) error {
		attempts++
		return &pgconn.PgError{Code: "40P01"}
	})
	if attempts != 2 || !rlsRetryable(err) {
		t.Fatalf("attempts=%d err=%v; want 2 attempts then the deadlock error", attempts, err)
	}
}

func rlsRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "40P01"
}

func TestNoTenantSeesNothingAndWritesNothing(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	tenant := uuid.NewString()
	ctx := as(tenant, "u")
	if err := rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO notes (tenant_id, body) VALUES ($1, 'a'), ($1, 'b')", tenant)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	bg := context.Background()
	for _, pool := range []rls.Beginner{db.App, db.Owner} {
		tx, err := pool.BeginTx(bg, pgx.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := tx.QueryRow(bg, "SELECT count(*) FROM notes").Scan(&n); err != nil || n != 0 {
			t.Fatalf("tenantless count = %d, %v; want 0", n, err)
		}
		_, err = tx.Exec(bg, "INSERT INTO notes (tenant_id, body) VALUES ($1, 'c')", tenant)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "42501" {
			t.Fatalf("tenantless insert: %v; want 42501 row-level security", err)
		}
		_ = tx.Rollback(bg)
	}
	// And the wrong tenant cannot write into this one.
	err := rls.InTenant(as(uuid.NewString(), "v"), db.App, func(tx pgx.Tx) error {
		_, err := tx.Exec(bg, "INSERT INTO notes (tenant_id, body) VALUES ($1, 'd')", tenant)
		return err
	})
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "42501" {
		t.Fatalf("cross-tenant insert: %v; want 42501", err)
	}
}

func TestAppRoleCannotTurnRLSOff(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ctx := context.Background()
	var super, bypass bool
	var owner string
	if err := db.App.QueryRow(ctx, `SELECT rolsuper, rolbypassrls, (SELECT tableowner FROM pg_tables WHERE tablename = 'notes')
		FROM pg_roles WHERE rolname = current_user`).Scan(&super, &bypass, &owner); err != nil {
		t.Fatal(err)
	}
	if super || bypass || owner == rls.AppRole {
		t.Fatalf("app role: superuser=%v bypassrls=%v table owner=%s", super, bypass, owner)
	}
	for _, stmt := range []string{
		"ALTER TABLE notes DISABLE ROW LEVEL SECURITY",
		"ALTER TABLE notes NO FORCE ROW LEVEL SECURITY",
		"DROP POLICY footing_tenant_isolation ON notes",
		"CREATE POLICY open ON notes USING (true)",
		"SET ROLE footing_owner",
		"SET ROLE footing_system",
	} {
		if _, err := db.App.Exec(ctx, stmt); err == nil {
			t.Errorf("%s: succeeded as the app role", stmt)
		}
	}
	// row_security = off does not switch policies off; it makes the query fail instead.
	tenant := uuid.NewString()
	if err := rls.InTenant(as(tenant, "u"), db.App, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO notes (tenant_id, body) VALUES ($1, 'x')", tenant)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	conn, err := db.App.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SET row_security = off"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM notes").Scan(&n); err == nil {
		t.Fatalf("row_security=off query succeeded with %d rows", n)
	}
	_, _ = conn.Exec(ctx, "RESET row_security")
}
