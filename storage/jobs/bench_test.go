package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/footingdev/footing/storage/jobs"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

type rawArgs struct{}

func (rawArgs) Kind() string { return "bench_raw" }

type footArgs struct{}

func (footArgs) Kind() string { return "bench_footing" }

// BenchmarkEnqueueAndWork compares enqueue-and-work throughput through jobs (a tenant
// transaction, Enqueue with the stamping middleware, the worker middleware restoring
// Principal and trace and recording span and metrics) with raw River (pool transaction,
// InsertTx, bare worker), in rounds of 100 jobs alternating between the two so that load on a
// shared machine hits both alike. "ratio" is jobs' throughput over raw River's (target >= 0.95).
func BenchmarkEnqueueAndWork(b *testing.B) {
	db := pgtest.New(b)
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	rw := river.NewWorkers()
	river.AddWorker(rw, river.WorkFunc(func(context.Context, *river.Job[rawArgs]) error { return nil }))
	raw, err := river.NewClient(riverpgxv5.New(db.App), &river.Config{
		Queues: map[string]river.QueueConfig{"raw": {MaxWorkers: 10}}, Workers: rw, Logger: quiet,
		ReindexerSchedule: river.NeverSchedule(),
	})
	if err != nil {
		b.Fatal(err)
	}
	fw := river.NewWorkers()
	river.AddWorker(fw, river.WorkFunc(func(context.Context, *river.Job[footArgs]) error { return nil }))
	foot, err := jobs.New(db.App, jobs.Config{Workers: fw, Queues: map[string]int{"footing": 10}, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	rawDone, cancelRaw := raw.Subscribe(river.EventKindJobCompleted)
	defer cancelRaw()
	footDone, cancelFoot := foot.River().Subscribe(river.EventKindJobCompleted)
	defer cancelFoot()
	if err := raw.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = raw.Stop(ctx) }()
	if err := foot.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = foot.Stop(ctx) }()

	tctx := as(uuid.NewString())
	rawRound := func(n int) time.Duration {
		start := time.Now()
		for range n {
			tx, err := db.App.Begin(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := raw.InsertTx(ctx, tx, rawArgs{}, &river.InsertOpts{Queue: "raw"}); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(ctx); err != nil {
				b.Fatal(err)
			}
		}
		for range n {
			<-rawDone
		}
		return time.Since(start)
	}
	footRound := func(n int) time.Duration {
		start := time.Now()
		for range n {
			if err := rls.InTenant(tctx, db.App, func(tx pgx.Tx) error {
				_, err := foot.Enqueue(tctx, tx, footArgs{}, &river.InsertOpts{Queue: "footing"})
				return err
			}); err != nil {
				b.Fatal(err)
			}
		}
		for range n {
			<-footDone
		}
		return time.Since(start)
	}
	const round = 100
	var rawT, footT time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; done += round {
		n := min(round, b.N-done)
		rawT += rawRound(n)
		footT += footRound(n)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/rawT.Seconds(), "raw-jobs/s")
	b.ReportMetric(float64(b.N)/footT.Seconds(), "footing-jobs/s")
	b.ReportMetric(rawT.Seconds()/footT.Seconds(), "ratio")
}
