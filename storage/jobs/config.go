package jobs

import (
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/contracts/errs"
)

// Defaults used when a [Config] field is zero.
const (
	DefaultQueue        = river.QueueDefault
	DefaultMaxWorkers   = 10
	DefaultDrainTimeout = 30 * time.Second

	// DefaultPageSize is the page size of [Client.List] when the request asks for none;
	// MaxPageSize is the largest it accepts (footing.common.v1.PageRequest's bounds).
	DefaultPageSize = 50
	MaxPageSize     = 1000

	// MinPageTokenKeyLen is the shortest [Config.PageTokenKey] accepted.
	MinPageTokenKeyLen = 32
)

// Config configures a [Client]. The zero value is an insert-only client; add Workers to
// work jobs.
type Config struct {
	// Workers are the job workers (river.AddWorker). Nil makes an insert-only client.
	Workers *river.Workers
	// Queues maps queue names to their maximum concurrent workers; empty means
	// {"default": 10} when Workers is set.
	Queues map[string]int
	// PeriodicJobs are inserted on schedule by the elected leader. They carry no Principal:
	// their workers cross tenants through rls.System, or enqueue per-tenant jobs.
	PeriodicJobs []*river.PeriodicJob
	// MaxAttempts per job (River's default, 25, when zero).
	MaxAttempts int
	// JobTimeout bounds one attempt (River's default, 1 minute, when zero; -1 for none).
	JobTimeout time.Duration
	// DrainTimeout is how long Stop lets running jobs finish before cancelling them
	// (default 30s).
	DrainTimeout time.Duration
	// RetryPolicy decides when a failed job runs again (River's exponential backoff when nil).
	RetryPolicy river.ClientRetryPolicy
	// Logger receives River's logs; nil means slog.Default.
	Logger *slog.Logger
	// TracerProvider and MeterProvider record spans and metrics; nil means the global ones.
	TracerProvider trace.TracerProvider
	MeterProvider  metric.MeterProvider
	// PageTokenKey signs the page tokens of [Client.List] (HMAC-SHA256), so that they are
	// tamper-evident and bound to their listing; at least MinPageTokenKeyLen bytes, the
	// same on every instance (a token from one instance is good on another). Without it,
	// List is FailedPrecondition; Get, Cancel and Retry do not need it.
	PageTokenKey []byte
	// River, when set, adjusts the river.Config after footing fills it (escape hatch).
	River func(*river.Config)
}

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	var opts []errs.Option
	for name, n := range c.Queues {
		if name == "" {
			opts = append(opts, errs.WithFieldViolation("Queues", "queue name is empty", "INVALID"))
		}
		if n < 1 || n > 10_000 {
			opts = append(opts, errs.WithFieldViolation("Queues["+name+"]", "max workers must be between 1 and 10000", "RANGE"))
		}
	}
	if len(c.Queues) > 0 && c.Workers == nil {
		opts = append(opts, errs.WithFieldViolation("Workers", "queues need workers", "REQUIRED"))
	}
	if c.MaxAttempts < 0 {
		opts = append(opts, errs.WithFieldViolation("MaxAttempts", "must not be negative", "RANGE"))
	}
	if c.DrainTimeout < 0 {
		opts = append(opts, errs.WithFieldViolation("DrainTimeout", "must not be negative", "RANGE"))
	}
	if n := len(c.PageTokenKey); n > 0 && n < MinPageTokenKeyLen {
		opts = append(opts, errs.WithFieldViolation("PageTokenKey", "must be at least 32 bytes", "TOO_SHORT"))
	}
	if len(opts) > 0 {
		return errs.InvalidArgument("JOBS_CONFIG_INVALID", "invalid jobs configuration", opts...)
	}
	return nil
}
