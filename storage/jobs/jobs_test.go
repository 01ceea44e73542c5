package jobs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/observability/semconv"
	"github.com/footingdev/footing/storage/jobs"
	"github.com/footingdev/footing/storage/rls"
)

func TestJobCarriesTenantRequestAndTrace(t *testing.T) {
	t.Parallel()
	b := setup(t)
	out := make(chan seen, 10)
	workers := river.NewWorkers()
	river.AddWorker(workers, &probeWorker{db: b.db.App, out: out})
	c := b.client(t, jobs.Config{Workers: workers})

	tenant := uuid.NewString()
	ctx := identity.WithRequestMetadata(as(tenant), &commonv1.RequestMetadata{RequestId: "req-42"})
	ctx, reqSpan := b.tp.Tracer("test").Start(ctx, "request")
	rollback := errors.New("rollback")
	err := rls.InTenant(ctx, b.db.App, func(tx pgx.Tx) error {
		if _, err := c.Enqueue(ctx, tx, ProbeArgs{Note: "rolled back"}, nil); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	var jobID int64
	if err := rls.InTenant(ctx, b.db.App, func(tx pgx.Tx) error {
		res, err := c.Enqueue(ctx, tx, ProbeArgs{Note: "committed"}, nil)
		if err == nil {
			jobID = res.Job.ID
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	reqSpan.End()

	if err := c.Ready(context.Background()); errs.From(err).Code != connect.CodeUnavailable {
		t.Fatalf("Ready before Start: %v", err)
	}
	if depth, err := c.QueueDepth(context.Background()); err != nil || depth[jobs.DefaultQueue] != 1 || len(depth) != 1 {
		t.Fatalf("queue depth before Start: %v, %v; want only the committed job", depth, err)
	}
	var rm metricdata.ResourceMetrics
	if err := b.metrics.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	if !hasMetric(rm, semconv.JobQueueDepth.Name) {
		t.Fatalf("%s not observed", semconv.JobQueueDepth.Name)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := c.Ready(context.Background()); err != nil {
		t.Fatalf("Ready after Start: %v", err)
	}
	got := wait(t, out)
	if got.note != "committed" || got.err != nil || !got.principal || got.dbTenant != tenant || got.requestID != "req-42" {
		t.Fatalf("worker saw %+v; want the committed job under tenant %s with req-42", got, tenant)
	}
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := c.Ready(context.Background()); errs.From(err).Code != connect.CodeUnavailable {
		t.Fatalf("Ready after Stop: %v", err)
	}
	// The rolled-back job never existed, so it can never run.
	var n int
	if err := b.db.Owner.QueryRow(context.Background(), "SELECT count(*) FROM river_job").Scan(&n); err != nil || n != 1 {
		t.Fatalf("river_job has %d rows, %v; want only the committed job", n, err)
	}
	select {
	case s := <-out:
		t.Fatalf("unexpected extra job run: %+v", s)
	default:
	}

	var linked bool
	for _, s := range b.spans.Ended() {
		if s.Name() != "job probe" {
			continue
		}
		for _, l := range s.Links() {
			if l.SpanContext.TraceID() == reqSpan.SpanContext().TraceID() {
				linked = true
			}
		}
	}
	if !linked {
		t.Fatal("job span does not link to the request's trace")
	}

	if err := b.metrics.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{semconv.JobDuration.Name, semconv.JobAttempts.Name} {
		if !hasMetric(rm, want) {
			t.Fatalf("metric %s not recorded", want)
		}
	}
	job, err := c.River().JobGet(context.Background(), jobID)
	if err != nil || job.State != "completed" {
		t.Fatalf("committed job: %v, %v", job, err)
	}
}

func hasMetric(rm metricdata.ResourceMetrics, name string) bool {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return true
			}
		}
	}
	return false
}

// BlockArgs is a job whose first attempt blocks until cancelled.
type BlockArgs struct{}

func (BlockArgs) Kind() string { return "block" }

type blockWorker struct {
	river.WorkerDefaults[BlockArgs]
	runs    atomic.Int32
	started chan int
	done    chan int
}

func (w *blockWorker) Work(ctx context.Context, _ *river.Job[BlockArgs]) error {
	run := int(w.runs.Add(1))
	w.started <- run
	if run == 1 {
		<-ctx.Done()
		return ctx.Err()
	}
	w.done <- run
	return nil
}

func TestStoppedMidJobIsRetried(t *testing.T) {
	t.Parallel()
	b := setup(t)
	w := &blockWorker{started: make(chan int, 4), done: make(chan int, 4)}
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	cfg := jobs.Config{Workers: workers, DrainTimeout: 200 * time.Millisecond, RetryPolicy: retryNow{}}
	first := b.client(t, cfg)
	ctx := as(uuid.NewString())
	var id int64
	if err := rls.InTenant(ctx, b.db.App, func(tx pgx.Tx) error {
		res, err := first.Enqueue(ctx, tx, BlockArgs{}, nil)
		if err == nil {
			id = res.Job.ID
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := first.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := wait(t, w.started); r != 1 {
		t.Fatalf("first run = %d", r)
	}
	if err := first.Stop(context.Background()); err != nil { // drain deadline passes: cancels
		t.Fatal(err)
	}
	job, err := first.River().JobGet(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	// River puts a job interrupted by shutdown back in line (available or retryable).
	if job.State != "available" && job.State != "retryable" {
		t.Fatalf("after stop: state %s; want it back in line", job.State)
	}
	second := b.client(t, cfg)
	if err := second.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := wait(t, w.done); r != 2 {
		t.Fatalf("completed on run %d, want 2", r)
	}
	if err := second.Stop(context.Background()); err != nil { // drains: the run completes
		t.Fatal(err)
	}
	job, err = second.River().JobGet(context.Background(), id)
	if err != nil || job.State != "completed" {
		t.Fatalf("after the second client: %v, %v", job.State, err)
	}
}

func TestConfigValidateReportsEverything(t *testing.T) {
	t.Parallel()
	err := jobs.Config{Queues: map[string]int{"": 0, "big": 1 << 20}, MaxAttempts: -1, DrainTimeout: -1, PageTokenKey: []byte("short")}.Validate()
	d := errs.From(err)
	if d.Code != connect.CodeInvalidArgument || len(d.FieldViolations) != 7 {
		t.Fatalf("got %v with %d violations, want 7", err, len(d.FieldViolations))
	}
}
