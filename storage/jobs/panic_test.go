package jobs_test

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/observability/semconv"
	"github.com/footingdev/footing/storage/jobs"
	"github.com/footingdev/footing/storage/rls"
)

// SecretArgs is a job whose first attempt panics with its secret argument in the value.
type SecretArgs struct {
	APIKey string `json:"api_key"`
}

func (SecretArgs) Kind() string { return "secret" }

type panicWorker struct {
	river.WorkerDefaults[SecretArgs]
	done chan string // the tenant the successful attempt ran for
}

func (w *panicWorker) Work(ctx context.Context, job *river.Job[SecretArgs]) error {
	if job.Attempt == 1 {
		panic("cannot call the API with key " + job.Args.APIKey)
	}
	tid, _ := identity.TenantID(ctx)
	w.done <- tid
	return nil
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestWorkerPanicIsCountedLoggedWithIDAndRetried: a worker that panics fails its
// attempt like an error — counted in footing.job.failures, its span marked — is logged
// once with an error id and its stack, and is retried under the same tenant. The
// panic value, which here quotes a secret argument, reaches neither the logs nor the
// job row. Before, the panic passed through footing's middleware: no failure was
// counted, the span ended OK, and River logged the value and stored it in the row.
func TestWorkerPanicIsCountedLoggedWithIDAndRetried(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const secret = "sk-live-0123456789abcdef"
	w := &panicWorker{done: make(chan string, 2)}
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	logs := &lockedBuffer{}
	c, err := jobs.New(b.db.App, jobs.Config{
		Workers: workers, RetryPolicy: retryNow{},
		TracerProvider: b.tp, MeterProvider: b.mp,
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	tenant := uuid.NewString()
	ctx := as(tenant)
	var id int64
	if err := rls.InTenant(ctx, b.db.App, func(tx pgx.Tx) error {
		res, err := c.Enqueue(ctx, tx, SecretArgs{APIKey: secret}, nil)
		if err == nil {
			id = res.Job.ID
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := wait(t, w.done); got != tenant {
		t.Fatalf("retry ran for tenant %q, want %q", got, tenant)
	}
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}

	out := logs.String()
	if strings.Contains(out, secret) {
		t.Fatalf("the panic value (with the job's secret) was logged:\n%s", out)
	}
	m := regexp.MustCompile(`jobs: worker panicked.*error_id=([0-9a-f]{16})`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "panic_test.go") {
		t.Fatalf("no footing log line with an error id and the stack:\n%s", out)
	}
	job, err := c.River().JobGet(context.Background(), id)
	if err != nil || job.State != "completed" || len(job.Errors) != 1 {
		t.Fatalf("job: %v, %v; want completed after one failed attempt", job, err)
	}
	if e := job.Errors[0]; strings.Contains(e.Error, secret) || strings.Contains(e.Trace, secret) || !strings.Contains(e.Error, m[1]) {
		t.Fatalf("job row's error = %q (trace %q); want only error id %s", e.Error, e.Trace, m[1])
	}

	var failed bool
	for _, s := range b.spans.Ended() {
		if s.Name() == "job secret" && s.Status().Code == codes.Error {
			failed = true
		}
	}
	if !failed {
		t.Fatal("the panicking attempt's span is not marked as an error")
	}
	var rm metricdata.ResourceMetrics
	if err := b.metrics.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	if n := sumInt(rm, semconv.JobFailures.Name); n != 1 {
		t.Fatalf("%s = %d, want 1", semconv.JobFailures.Name, n)
	}
}

func sumInt(rm metricdata.ResourceMetrics, name string) int64 {
	var n int64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if s, ok := m.Data.(metricdata.Sum[int64]); ok && m.Name == name {
				for _, dp := range s.DataPoints {
					n += dp.Value
				}
			}
		}
	}
	return n
}
