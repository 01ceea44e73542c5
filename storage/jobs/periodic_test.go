package jobs_test

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/riverqueue/river"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/jobs"
)

// TestPeriodicJobRunsWithoutTenant shows a periodic job running on schedule, and that it
// has no Principal: tenant-scoped work in it fails closed instead of running unscoped.
func TestPeriodicJobRunsWithoutTenant(t *testing.T) {
	t.Parallel()
	b := setup(t)
	out := make(chan seen, 10)
	workers := river.NewWorkers()
	river.AddWorker(workers, &probeWorker{db: b.db.App, out: out})
	c := b.client(t, jobs.Config{
		Workers: workers,
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return ProbeArgs{Note: "periodic"}, nil },
			&river.PeriodicJobOpts{RunOnStart: true})},
	})
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := wait(t, out)
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got.note != "periodic" || got.principal || got.dbTenant != "" {
		t.Fatalf("periodic job saw %+v", got)
	}
	if d := errs.From(got.err); d.Code != connect.CodeUnauthenticated || d.Reason != "NO_PRINCIPAL" {
		t.Fatalf("tenant work in a periodic job: %v; want NO_PRINCIPAL", got.err)
	}
}
