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
// one query and committing, interleaved in one loop; "ratio" is InTenant's time over the
// two-trip time. A third variant, pgx's Batch.BeginTx with a parameterized set_config
// pipelined behind it, reports "batch-begin-ratio" on the same scale.
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
	// pgx 5.12's Batch.BeginTx: BEGIN and a parameterized set_config pipelined.
	batchBegin := func() error {
		bt := &pgx.Batch{}
		bt.BeginTx(pgx.TxOptions{})
		bt.Queue("SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)", tenant, "u")
		br := pool.SendBatch(ctx, bt)
		tx := br.Tx()
		defer func() { _ = tx.Rollback(ctx) }()
		if err := br.Close(); err != nil {
			return err
		}
		if err := query(tx); err != nil {
			return err
		}
		return tx.Commit(ctx)
	}
	// Interleaved: each iteration runs all three, so load changes on a shared machine hit
	// them alike.
	var oneT, twoT, batchT time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := twoTrips(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := oneTrip(); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		if err := batchBegin(); err != nil {
			b.Fatal(err)
		}
		twoT += t1.Sub(t0)
		oneT += t2.Sub(t1)
		batchT += time.Since(t2)
	}
	b.ReportMetric(float64(twoT.Nanoseconds())/float64(b.N), "two-trips-ns/tx")
	b.ReportMetric(float64(oneT.Nanoseconds())/float64(b.N), "in-tenant-ns/tx")
	b.ReportMetric(float64(batchT)/float64(twoT), "batch-begin-ratio")
	b.ReportMetric(float64(oneT)/float64(twoT), "ratio")
}
