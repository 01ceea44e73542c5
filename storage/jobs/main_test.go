package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/jobs"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// ProbeArgs is a job that reports what its worker saw.
type ProbeArgs struct {
	Note string `json:"note"`
}

func (ProbeArgs) Kind() string { return "probe" }

// seen is what a probe worker observed.
type seen struct {
	note, dbTenant, requestID string
	principal                 bool
	attempt                   int
	err                       error
}

// probeWorker reports each job's view of its context, including the tenant Postgres sees
// through rls.InTenant.
type probeWorker struct {
	river.WorkerDefaults[ProbeArgs]
	db  rls.Beginner
	out chan seen
}

func (w *probeWorker) Work(ctx context.Context, job *river.Job[ProbeArgs]) error {
	s := seen{note: job.Args.Note, requestID: identity.RequestID(ctx), attempt: job.Attempt}
	_, s.principal = identity.PrincipalFrom(ctx)
	s.err = rls.InTenant(ctx, w.db, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT footing_current_tenant()::text").Scan(&s.dbTenant)
	})
	w.out <- s
	return nil
}

type bundle struct {
	db      *pgtest.DB
	spans   *tracetest.SpanRecorder
	tp      *sdktrace.TracerProvider
	metrics *sdkmetric.ManualReader
	mp      *sdkmetric.MeterProvider
}

func setup(t *testing.T) *bundle {
	t.Helper()
	b := &bundle{db: pgtest.New(t), spans: tracetest.NewSpanRecorder(), metrics: sdkmetric.NewManualReader()}
	b.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(b.spans))
	b.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(b.metrics))
	t.Cleanup(func() {
		_ = b.tp.Shutdown(context.Background())
		_ = b.mp.Shutdown(context.Background())
	})
	return b
}

func (b *bundle) client(t *testing.T, cfg jobs.Config) *jobs.Client {
	t.Helper()
	cfg.TracerProvider, cfg.MeterProvider = b.tp, b.mp
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := jobs.New(b.db.App, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func as(tenant string) context.Context {
	return identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "s", UserId: "u", TenantId: tenant})
}

// retryNow retries failed jobs at once.
type retryNow struct{}

func (retryNow) NextRetry(*rivertype.JobRow) time.Time { return time.Now() }

func wait[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(60 * time.Second):
		t.Fatal("timed out waiting for a job")
		panic("unreachable")
	}
}
