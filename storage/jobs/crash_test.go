package jobs_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/footingdev/footing/storage/jobs"
	"github.com/footingdev/footing/storage/rls"
)

// TestJobOfCrashedWorkerIsRescued leaves a job as a worker that died mid-job leaves it
// (running, attempted two hours ago by a client that is gone) and shows a new client's
// leader rescue it and run it again, still under its tenant.
func TestJobOfCrashedWorkerIsRescued(t *testing.T) {
	t.Parallel()
	b := setup(t)
	out := make(chan seen, 4)
	workers := river.NewWorkers()
	river.AddWorker(workers, &probeWorker{db: b.db.App, out: out})
	cfg := jobs.Config{Workers: workers, RetryPolicy: retryNow{}}

	tenant := uuid.NewString()
	ctx := as(tenant)
	inserter := b.client(t, jobs.Config{})
	var id int64
	if err := rls.InTenant(ctx, b.db.App, func(tx pgx.Tx) error {
		res, err := inserter.Enqueue(ctx, tx, ProbeArgs{Note: "orphaned"}, nil)
		if err == nil {
			id = res.Job.ID
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.db.Owner.Exec(context.Background(), `UPDATE river_job SET state = 'running', attempt = 1,
		attempted_at = now() - interval '2 hours', attempted_by = '{crashed-worker}' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}

	c := b.client(t, cfg)
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := wait(t, out)
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got.note != "orphaned" || got.dbTenant != tenant || got.attempt != 2 {
		t.Fatalf("rescued job saw %+v; want attempt 2 under tenant %s", got, tenant)
	}
}
