package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/observability/semconv"
	"github.com/footingdev/footing/storage/pg"
)

// A Client enqueues and works jobs. Create it with [New]; it is safe for concurrent use.
type Client struct {
	river   *river.Client[pgx.Tx]
	pool    *pgxpool.Pool
	cfg     Config
	logger  *slog.Logger
	working bool
	started atomic.Bool
	stopped atomic.Bool
	reg     metric.Registration
}

// New builds a [Client] over pool, which should be connected as rls.AppRole; River's schema
// must exist (storage/migrate). It does not start working: call [Client.Start].
func New(pool *pgxpool.Pool, cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.PageTokenKey = bytes.Clone(cfg.PageTokenKey) // the caller may reuse its slice
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	tp, mp := cfg.TracerProvider, cfg.MeterProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	meter := mp.Meter(instrumentationName)
	in, err := newInstruments(meter)
	if err != nil {
		return nil, errs.Internal(err)
	}
	rc := &river.Config{
		Logger:       logger,
		MaxAttempts:  cfg.MaxAttempts,
		JobTimeout:   cfg.JobTimeout,
		RetryPolicy:  cfg.RetryPolicy,
		PeriodicJobs: cfg.PeriodicJobs,
		Middleware: []rivertype.Middleware{&insertMiddleware{}, &workerMiddleware{
			tracer: tp.Tracer(instrumentationName), in: in, logger: logger,
		}},
		// The application role does not own River's tables, so it cannot REINDEX them.
		ReindexerSchedule: river.NeverSchedule(),
	}
	c := &Client{pool: pool, cfg: cfg, logger: logger}
	if cfg.Workers != nil {
		c.working = true
		rc.Workers = cfg.Workers
		rc.Queues = map[string]river.QueueConfig{}
		for name, n := range cfg.Queues {
			rc.Queues[name] = river.QueueConfig{MaxWorkers: n}
		}
		if len(rc.Queues) == 0 {
			rc.Queues[DefaultQueue] = river.QueueConfig{MaxWorkers: DefaultMaxWorkers}
		}
	}
	if cfg.River != nil {
		cfg.River(rc)
	}
	rcl, err := river.NewClient(riverpgxv5.New(pool), rc)
	if err != nil {
		return nil, errs.InvalidArgument("JOBS_CONFIG_INVALID", "river rejected the configuration: "+err.Error())
	}
	c.river = rcl
	depth, err := meter.Int64ObservableGauge(semconv.JobQueueDepth.Name, metric.WithUnit(semconv.JobQueueDepth.Unit), metric.WithDescription(semconv.JobQueueDepth.Description))
	if err != nil {
		return nil, errs.Internal(err)
	}
	c.reg, err = meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		counts, err := c.QueueDepth(ctx)
		for q, n := range counts {
			o.ObserveInt64(depth, n, metric.WithAttributes(attribute.String(semconv.AttrJobQueue, q)))
		}
		return err
	}, depth)
	if err != nil {
		return nil, errs.Internal(err)
	}
	return c, nil
}

// River returns the underlying River client, for what this package does not wrap. It is
// the cross-tenant escape hatch, for operators and system code: its JobGet, JobList,
// JobCancel, JobRetry, JobDelete see and change every tenant's jobs. Code acting for a
// caller uses the tenant-scoped [Client.Get], [Client.List], [Client.Cancel] and
// [Client.Retry] instead. (Inserts through it still pass footing's insert middleware.)
func (c *Client) River() *river.Client[pgx.Tx] { return c.river }

// Start starts working jobs (and, on the elected leader, periodic jobs and maintenance). An
// insert-only client (no Workers) has nothing to start and returns nil. A Principal and
// request metadata in ctx are not passed on: River derives its workers' and periodic
// enqueuer's contexts from ctx, and a job runs only with the Principal it was enqueued
// with (none for periodic jobs and jobs enqueued without one).
func (c *Client) Start(ctx context.Context) error {
	if !c.working {
		return nil
	}
	if err := c.river.Start(withoutIdentity(ctx)); err != nil {
		return errs.Internal(fmt.Errorf("jobs: start: %w", err))
	}
	c.started.Store(true)
	return nil
}

// Stop stops fetching jobs and waits up to Config.DrainTimeout (or ctx's deadline, if
// sooner) for running jobs to finish; then it cancels the rest, whose attempts fail and are
// retried later (at-least-once). A worker that ignores its ctx keeps Stop waiting after the
// cancel: workers must return when ctx is done. It also unregisters the queue-depth metric.
func (c *Client) Stop(ctx context.Context) error {
	c.stopped.Store(true)
	defer func() { _ = c.reg.Unregister() }()
	if !c.started.Load() {
		return nil
	}
	drain := c.cfg.DrainTimeout
	if drain == 0 {
		drain = DefaultDrainTimeout
	}
	dctx, cancel := context.WithTimeout(ctx, drain)
	defer cancel()
	err := c.river.Stop(dctx)
	if err == nil {
		return nil
	}
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return errs.Internal(fmt.Errorf("jobs: stop: %w", err))
	}
	c.logger.WarnContext(ctx, "jobs: drain deadline passed; cancelling running jobs", "drain", drain)
	if err := c.river.StopAndCancel(context.WithoutCancel(ctx)); err != nil {
		return errs.Internal(fmt.Errorf("jobs: stop and cancel: %w", err))
	}
	return nil
}

// Enqueue inserts a job in the caller's transaction tx (usually the pgx.Tx of
// rls.InTenant), stamped with ctx's Principal, request id and trace context: the job exists
// only if tx commits. opts may be nil.
func (c *Client) Enqueue(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	res, err := c.river.InsertTx(ctx, tx, args, opts)
	if err != nil {
		return nil, pg.MapError(err)
	}
	return res, nil
}

// QueueDepth counts the jobs available to work, by queue.
func (c *Client) QueueDepth(ctx context.Context) (map[string]int64, error) {
	rows, err := c.pool.Query(ctx, "SELECT queue, count(*) FROM river_job WHERE state = 'available' GROUP BY queue")
	if err != nil {
		return nil, pg.MapError(err)
	}
	out := map[string]int64{}
	var q string
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&q, &n}, func() error { out[q] = n; return nil })
	return out, pg.MapError(err)
}

// Ready reports whether the client can do its work: not stopped, started if it has workers,
// and River's table reachable. It is meant for readiness probes; bound ctx with a deadline.
func (c *Client) Ready(ctx context.Context) error {
	switch {
	case c.stopped.Load():
		return errs.Unavailable("JOBS_STOPPED", "job client is stopping")
	case c.working && !c.started.Load():
		return errs.Unavailable("JOBS_NOT_STARTED", "job client has not started")
	}
	if _, err := c.pool.Exec(ctx, "SELECT 1 FROM river_job LIMIT 0"); err != nil {
		return errs.Unavailable("JOBS_UNAVAILABLE", "job table unreachable")
	}
	return nil
}
