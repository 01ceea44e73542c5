package rls_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/storage/rls"
)

// BenchmarkBeginScoped compares InTenant's one-round-trip BEGIN (BEGIN and set_config in one
// simple-protocol message) with the two-round-trip way (BEGIN, then set_config), each running
// one query and committing. The in_tenant_one_trip line reports the ratio of its time to the two-trip time.
func BenchmarkBeginScoped(b *testing.B) {
	db := newDB(b)
	pool := db.Pool(b, rls.AppRole, 2)
	tenant := uuid.NewString()
	ctx := as(tenant, "u")
	query := func(tx pgx.Tx) error {
		var n int
		return tx.QueryRow(ctx, "SELECT count(*) FROM notes").Scan(&n)
	}
	oneTrip := func() error { return rls.InTenant(ctx, pool, query) }
	twoTrips := func() error {
		tx, err := pool.Begin(ctx)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(ctx) }()
		if _, err := tx.Exec(ctx, "SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)", tenant, "u"); err != nil {
			return err
		}
		if err := query(tx); err != nil {
			return err
		}
		return tx.Commit(ctx)
	}
	measure := func(b *testing.B, fn func() error) time.Duration {
		start := time.Now()
		for b.Loop() {
			if err := fn(); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start) / time.Duration(b.N)
	}
	var two time.Duration
	b.Run("begin_then_set_config", func(b *testing.B) { two = measure(b, twoTrips) })
	b.Run("in_tenant_one_trip", func(b *testing.B) {
		one := measure(b, oneTrip)
		if two > 0 {
			b.ReportMetric(float64(one)/float64(two), "ratio")
		}
	})
}
