package rls_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/storage/rls"
)

// TestOneConnectionKeepsNoTenantAfterAnyEnding: on a pool of one connection, every way a
// tenant transaction can end — commit, an error, a failed statement, a panic, the
// context cancelled in a query or before commit, a batch with a failing statement, a
// runtime.Goexit — leaves the connection with no tenant and no user: the next query
// outside a transaction sees no row, and the next tenant only its own.
func TestOneConnectionKeepsNoTenantAfterAnyEnding(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	pool := db.Pool(t, rls.AppRole, 1)
	a, b := uuid.NewString(), uuid.NewString()
	for _, tn := range []string{a, b} {
		ctx := as(tn, "u")
		if err := rls.InTenant(ctx, pool, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO notes (tenant_id, body) VALUES ($1, 'x')", tn)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	fail := errors.New("planned")
	endings := map[string]func(){
		"commit": func() {
			_ = rls.InTenant(as(a, "ua"), pool, func(pgx.Tx) error { return nil })
		},
		"error": func() {
			_ = rls.InTenant(as(a, "ua"), pool, func(pgx.Tx) error { return fail })
		},
		"failed statement": func() {
			ctx := as(a, "ua")
			_ = rls.InTenant(ctx, pool, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, "SELECT 1/0")
				return err
			})
		},
		"panic": func() {
			defer func() { _ = recover() }()
			_ = rls.InTenant(as(a, "ua"), pool, func(pgx.Tx) error { panic("boom") })
		},
		"cancelled in a query": func() {
			ctx, cancel := context.WithCancel(as(a, "ua"))
			defer cancel()
			_ = rls.InTenant(ctx, pool, func(tx pgx.Tx) error {
				go func() { time.Sleep(50 * time.Millisecond); cancel() }()
				_, err := tx.Exec(ctx, "SELECT pg_sleep(30)")
				return err
			})
		},
		"cancelled before commit": func() {
			ctx, cancel := context.WithCancel(as(a, "ua"))
			_ = rls.InTenant(ctx, pool, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, "UPDATE notes SET body = 'y'")
				cancel()
				return err
			})
		},
		"batch with a failing statement": func() {
			bt := &pgx.Batch{}
			bt.Queue("SELECT count(*) FROM notes")
			bt.Queue("SELECT 1/0")
			_ = rls.InTenantBatch(as(a, "ua"), pool, bt)
		},
		"goexit": func() {
			done := make(chan struct{})
			go func() {
				defer close(done)
				_ = rls.InTenant(as(a, "ua"), pool, func(pgx.Tx) error {
					runtime.Goexit()
					return nil
				})
			}()
			<-done
		},
	}
	for name, end := range endings {
		end()
		ctx := context.Background()
		var tenant, user *string
		var n int
		if err := pool.QueryRow(ctx, "SELECT footing_current_tenant()::text, footing_current_user(), (SELECT count(*) FROM notes)").Scan(&tenant, &user, &n); err != nil {
			t.Fatalf("after %s: %v", name, err)
		}
		if tenant != nil || user != nil || n != 0 {
			t.Fatalf("after %s the connection carries tenant %v, user %v and shows %d rows", name, deref(tenant), deref(user), n)
		}
		bctx := as(b, "ub")
		if err := rls.InTenant(bctx, pool, func(tx pgx.Tx) error {
			var tid, uid string
			if err := tx.QueryRow(bctx, "SELECT footing_current_tenant()::text, footing_current_user(), (SELECT count(*) FROM notes)").Scan(&tid, &uid, &n); err != nil {
				return err
			}
			if tid != b || uid != "ub" || n != 1 {
				t.Fatalf("after %s, tenant b's transaction ran as %s/%s and saw %d rows", name, tid, uid, n)
			}
			return nil
		}); err != nil {
			t.Fatalf("after %s: %v", name, err)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
