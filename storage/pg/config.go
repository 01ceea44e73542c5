package pg

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/contracts/errs"
)

// Defaults used when a [Config] field is zero.
const (
	DefaultMaxConns              = 10
	DefaultMinIdleConns          = 2
	DefaultMaxConnLifetime       = 30 * time.Minute
	DefaultMaxConnLifetimeJitter = 5 * time.Minute
	DefaultMaxConnIdleTime       = 10 * time.Minute
	DefaultHealthCheckPeriod     = 30 * time.Second
	DefaultConnectTimeout        = 5 * time.Second
)

// Config configures a pool. The zero value (with URL set) gives the documented defaults.
type Config struct {
	// URL is the connection string (DATABASE_URL), in URL or key=value form. Required.
	URL string
	// MaxConns is the largest number of connections (DB_MAX_CONNS, default 10).
	MaxConns int32
	// MinIdleConns keeps this many idle connections open to cut tail latency
	// (DB_MIN_IDLE_CONNS, default 2; capped at MaxConns).
	MinIdleConns int32
	// MaxConnLifetime closes connections older than this (DB_MAX_CONN_LIFETIME, default 30m)...
	MaxConnLifetime time.Duration
	// MaxConnLifetimeJitter ...plus a random part up to this, so that connections do not all
	// close at once (DB_MAX_CONN_LIFETIME_JITTER, default 5m).
	MaxConnLifetimeJitter time.Duration
	// MaxConnIdleTime closes connections idle this long (DB_MAX_CONN_IDLE_TIME, default 10m).
	MaxConnIdleTime time.Duration
	// HealthCheckPeriod is how often idle connections are checked (default 30s).
	HealthCheckPeriod time.Duration
	// ConnectTimeout bounds establishing one connection (DB_CONNECT_TIMEOUT, default 5s).
	ConnectTimeout time.Duration
	// ApplicationName is reported to Postgres (pg_stat_activity), when set.
	ApplicationName string
	// TracerProvider traces queries; nil means the global provider.
	TracerProvider trace.TracerProvider
	// DisableTracing turns query tracing off.
	DisableTracing bool
}

// ConfigFromEnv reads DATABASE_URL and the DB_* variables documented on [Config]. Values
// that do not parse are kept as errors that [Config.Validate] would not see, so they are
// returned here, all at once.
func ConfigFromEnv() (Config, error) {
	c := Config{URL: os.Getenv("DATABASE_URL"), ApplicationName: os.Getenv("DB_APPLICATION_NAME")}
	var problems []error
	intVar := func(name string, dst *int32) {
		if v := os.Getenv(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 32)
			if err != nil {
				problems = append(problems, errs.InvalidArgument("DB_CONFIG_INVALID", name+" is not an integer"))
				return
			}
			*dst = int32(n)
		}
	}
	durVar := func(name string, dst *time.Duration) {
		if v := os.Getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				problems = append(problems, errs.InvalidArgument("DB_CONFIG_INVALID", name+" is not a duration"))
				return
			}
			*dst = d
		}
	}
	intVar("DB_MAX_CONNS", &c.MaxConns)
	intVar("DB_MIN_IDLE_CONNS", &c.MinIdleConns)
	durVar("DB_MAX_CONN_LIFETIME", &c.MaxConnLifetime)
	durVar("DB_MAX_CONN_LIFETIME_JITTER", &c.MaxConnLifetimeJitter)
	durVar("DB_MAX_CONN_IDLE_TIME", &c.MaxConnIdleTime)
	durVar("DB_CONNECT_TIMEOUT", &c.ConnectTimeout)
	return c, errors.Join(problems...)
}

// Validate reports every problem with c at once, as one InvalidArgument error with a field
// violation per problem. The URL is parsed but never echoed: it may hold a password.
func (c Config) Validate() error {
	var opts []errs.Option
	if c.URL == "" {
		opts = append(opts, errs.WithFieldViolation("URL", "DATABASE_URL is required", "REQUIRED"))
	} else if _, err := pgxpool.ParseConfig(c.URL); err != nil {
		opts = append(opts, errs.WithFieldViolation("URL", "DATABASE_URL does not parse as a connection string", "INVALID"))
	}
	if c.MaxConns < 0 {
		opts = append(opts, errs.WithFieldViolation("MaxConns", "must not be negative", "RANGE"))
	}
	if c.MinIdleConns < 0 {
		opts = append(opts, errs.WithFieldViolation("MinIdleConns", "must not be negative", "RANGE"))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"MaxConnLifetime", c.MaxConnLifetime}, {"MaxConnLifetimeJitter", c.MaxConnLifetimeJitter},
		{"MaxConnIdleTime", c.MaxConnIdleTime}, {"HealthCheckPeriod", c.HealthCheckPeriod},
		{"ConnectTimeout", c.ConnectTimeout},
	} {
		if d.v < 0 {
			opts = append(opts, errs.WithFieldViolation(d.name, "must not be negative", "RANGE"))
		}
	}
	if len(opts) > 0 {
		return errs.InvalidArgument("DB_CONFIG_INVALID", "invalid database configuration", opts...)
	}
	return nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// setting sets *dst to own when it is set, else to def unless the connection string set
// *dst itself (inURL).
func setting[T comparable](dst *T, own, def T, inURL bool) {
	var zero T
	switch {
	case own != zero:
		*dst = own
	case !inURL:
		*dst = def
	}
}

// poolParams reports which pool_* settings the connection string holds: pgconn keeps the
// keys it does not know as run-time parameters, where pgxpool finds (and removes) them.
func poolParams(connString string) map[string]bool {
	cc, err := pgconn.ParseConfig(connString)
	if err != nil {
		return nil
	}
	out := map[string]bool{}
	for k := range cc.RuntimeParams {
		if strings.HasPrefix(k, "pool_") {
			out[k] = true
		}
	}
	return out
}

// PoolConfig returns the pgxpool configuration c describes, defaults applied and tracer
// installed, for callers that want to adjust it before [NewFromPoolConfig]. A field of c
// wins over the same pool_* setting in the connection string (pool_max_conns, ...), which
// wins over the package defaults.
func (c Config) PoolConfig() (*pgxpool.Config, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	pc, err := pgxpool.ParseConfig(c.URL)
	if err != nil { // Validate parsed it already; kept for safety.
		return nil, errs.InvalidArgument("DB_CONFIG_INVALID", "DATABASE_URL does not parse as a connection string")
	}
	// A field of c wins; else a pool_* setting of the connection string (pgxpool has
	// parsed it into pc); else this package's default.
	inURL := poolParams(c.URL)
	setting(&pc.MaxConns, c.MaxConns, DefaultMaxConns, inURL["pool_max_conns"])
	setting(&pc.MinIdleConns, c.MinIdleConns, DefaultMinIdleConns, inURL["pool_min_idle_conns"])
	pc.MinIdleConns = min(pc.MinIdleConns, pc.MaxConns)
	setting(&pc.MaxConnLifetime, c.MaxConnLifetime, DefaultMaxConnLifetime, inURL["pool_max_conn_lifetime"])
	setting(&pc.MaxConnLifetimeJitter, c.MaxConnLifetimeJitter, DefaultMaxConnLifetimeJitter, inURL["pool_max_conn_lifetime_jitter"])
	setting(&pc.MaxConnIdleTime, c.MaxConnIdleTime, DefaultMaxConnIdleTime, inURL["pool_max_conn_idle_time"])
	setting(&pc.HealthCheckPeriod, c.HealthCheckPeriod, DefaultHealthCheckPeriod, inURL["pool_health_check_period"])
	if pc.ConnConfig.ConnectTimeout == 0 {
		pc.ConnConfig.ConnectTimeout = orDefault(c.ConnectTimeout, DefaultConnectTimeout)
	}
	if c.ApplicationName != "" {
		pc.ConnConfig.RuntimeParams["application_name"] = c.ApplicationName
	}
	if !c.DisableTracing {
		pc.ConnConfig.Tracer = NewTracer(WithTracerProvider(c.TracerProvider), WithDatabase(pc.ConnConfig.Database))
	}
	return pc, nil
}
