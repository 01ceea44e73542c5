package jobs_test

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/jobs"
)

// TestStartContextLendsNoTenant: River derives its workers' and its periodic enqueuer's
// contexts from the one Start is given, values included. A Principal in it (a service
// started under a bootstrap or operator identity, a request that started the workers)
// must not become the Principal of jobs that carry none: a periodic job, or one enqueued
// without a Principal, would then run as that tenant — rls.InTenant scoping its queries
// to the tenant's rows and letting it write them — and the periodic job would be
// stamped with it, so that the tenant's Get and List show it as the tenant's own.
func TestStartContextLendsNoTenant(t *testing.T) {
	t.Parallel()
	b := setup(t)
	out := make(chan seen, 10)
	workers := river.NewWorkers()
	river.AddWorker(workers, &probeWorker{db: b.db.App, out: out})
	c := b.client(t, jobs.Config{
		Workers:      workers,
		PageTokenKey: make([]byte, 32),
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return ProbeArgs{Note: "periodic"}, nil },
			&river.PeriodicJobOpts{RunOnStart: true})},
	})
	// A job enqueued by system code, without a Principal.
	if _, err := c.River().Insert(context.Background(), ProbeArgs{Note: "system"}, nil); err != nil {
		t.Fatal(err)
	}

	tenant := uuid.NewString()
	startCtx := identity.WithRequestMetadata(as(tenant), &commonv1.RequestMetadata{RequestId: "boot-1"})
	if err := c.Start(startCtx); err != nil {
		t.Fatal(err)
	}
	got := map[string]seen{}
	for len(got) < 2 {
		s := wait(t, out)
		got[s.note] = s
	}
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, note := range []string{"periodic", "system"} {
		s := got[note]
		if s.principal || s.dbTenant != "" || s.requestID != "" {
			t.Errorf("%s job ran with the Start context's identity: principal %v, Postgres tenant %q, request id %q",
				note, s.principal, s.dbTenant, s.requestID)
		}
		if d := errs.From(s.err); d.Code != connect.CodeUnauthenticated || d.Reason != "NO_PRINCIPAL" {
			t.Errorf("tenant work in the %s job: %v; want NO_PRINCIPAL", note, s.err)
		}
	}
	rows, _, err := c.List(as(tenant), nil, jobs.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		t.Errorf("tenant %s lists job %d (%s) it never enqueued", tenant, r.ID, r.Kind)
	}
}
