package cache

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// Defaults a zero [Config] stands for.
const (
	DefaultPrefix      = "footing"
	DefaultTTL         = 5 * time.Minute
	DefaultJitter      = 0.1
	DefaultLoadTimeout = 30 * time.Second
	DefaultLocalTTL    = 10 * time.Second
	// DefaultLocalMaxBytes bounds the in-process tier's bytes: 32 MiB. The tier holds
	// the hot set for LocalTTL at most, in front of Redis, which holds everything; 32
	// MiB keeps it a small share of a service's usual memory limit (512 MiB to a few
	// GiB) while holding thousands of values of a few KiB.
	DefaultLocalMaxBytes = 32 << 20
	// DefaultRedisTimeout is one write and one read at the socket timeouts [NewRedis]
	// defaults to, so it cuts only calls that would have failed there.
	DefaultRedisTimeout = time.Second
)

// Config configures a [Cache]. Its zero value is valid: an in-memory cache with the
// defaults above.
type Config struct {
	// RedisURL is the Redis to use (redis://[user:pass@]host:port/db); empty means an
	// in-process [Memory] backend, which [Open] logs at start-up. [ConfigFromEnv]
	// reads it from REDIS_URL.
	RedisURL string
	// Prefix starts every key, tag set and channel name (default "footing"), so
	// several applications can share one Redis.
	Prefix string
	// DefaultTTL is the time to live of a value stored without [WithTTL] (default 5m).
	DefaultTTL time.Duration
	// Jitter shortens each TTL by a random fraction up to this much, so that values
	// stored together do not expire together (default 0.1; negative: none).
	Jitter float64
	// LoadTimeout bounds a loader run by [Cache.GetOrLoad] (default 30s). The loader
	// runs detached from any one caller's cancellation.
	LoadTimeout time.Duration
	// RedisTimeout bounds each call of the cache to Redis (one lookup, store, lease
	// or invalidation, retries included), whatever the client's own timeouts: a
	// Redis that stops answering is then a failure like a Redis that is down (reads
	// miss, stores are dropped, invalidations return Unavailable) after RedisTimeout
	// (default 1s) or at the context's deadline if sooner (see [NewRedisClient] for
	// the one exception).
	RedisTimeout time.Duration
	// LocalMaxEntries turns on the in-process tier in front of Redis with at most
	// this many entries (0: off). It is kept coherent across instances by
	// invalidation messages on Redis pub/sub.
	LocalMaxEntries int
	// LocalMaxBytes bounds the bytes the in-process tier holds (default
	// [DefaultLocalMaxBytes]; used only with LocalMaxEntries). An entry counts its key
	// and value plus a fixed overhead of about 200 bytes; past this bound or
	// LocalMaxEntries the least recently used entries go. A value larger than the
	// whole bound is not held in process: it is read from Redis each time.
	LocalMaxBytes int64
	// LocalTTL caps how long an entry lives in the in-process tier (default 10s).
	LocalTTL time.Duration
	// MemoryMaxEntries bounds the [Memory] backend used without Redis
	// (default [DefaultMemoryMaxEntries]).
	MemoryMaxEntries int
	// MemoryMaxBytes bounds the bytes the [Memory] backend used without Redis holds
	// (default [DefaultMemoryMaxBytes]; see [WithMemoryMaxBytes]). A value larger than
	// the whole bound is not stored.
	MemoryMaxBytes int64
	// Logger receives absorbed backend failures (never values). Default slog.Default().
	Logger *slog.Logger
	// MeterProvider and TracerProvider default to the otel globals.
	MeterProvider  metric.MeterProvider
	TracerProvider trace.TracerProvider
}

// ConfigFromEnv returns a Config with RedisURL from REDIS_URL and defaults elsewhere.
func ConfigFromEnv() Config {
	return Config{RedisURL: os.Getenv("REDIS_URL")}
}

// Validate reports every problem in c at once.
func (c Config) Validate() error { return c.validate(c.RedisURL != "") }

// validate is Validate for a backend that has Redis (from RedisURL or a client given
// to [NewRedisClient]) or not.
func (c Config) validate(hasRedis bool) error {
	var problems []error
	if c.RedisURL != "" {
		if _, err := redis.ParseURL(c.RedisURL); err != nil {
			// The parser's message may echo the URL and its password: say less.
			problems = append(problems, errors.New("cache: RedisURL is not a valid redis:// or rediss:// URL"))
		}
	}
	if c.DefaultTTL < 0 {
		problems = append(problems, fmt.Errorf("cache: DefaultTTL %v is negative", c.DefaultTTL))
	}
	if c.Jitter >= 1 {
		problems = append(problems, fmt.Errorf("cache: Jitter %v must be below 1", c.Jitter))
	}
	if c.LoadTimeout < 0 {
		problems = append(problems, fmt.Errorf("cache: LoadTimeout %v is negative", c.LoadTimeout))
	}
	if c.RedisTimeout < 0 {
		problems = append(problems, fmt.Errorf("cache: RedisTimeout %v is negative", c.RedisTimeout))
	}
	if c.LocalMaxEntries < 0 {
		problems = append(problems, fmt.Errorf("cache: LocalMaxEntries %d is negative", c.LocalMaxEntries))
	}
	if c.LocalMaxBytes < 0 {
		problems = append(problems, fmt.Errorf("cache: LocalMaxBytes %d is negative", c.LocalMaxBytes))
	}
	if c.MemoryMaxBytes < 0 {
		problems = append(problems, fmt.Errorf("cache: MemoryMaxBytes %d is negative", c.MemoryMaxBytes))
	}
	if c.LocalTTL < 0 {
		problems = append(problems, fmt.Errorf("cache: LocalTTL %v is negative", c.LocalTTL))
	}
	if c.LocalMaxEntries > 0 && !hasRedis {
		problems = append(problems, errors.New("cache: LocalMaxEntries needs RedisURL (the in-memory backend is already local)"))
	}
	return errors.Join(problems...)
}

func (c Config) withDefaults() Config {
	if c.Prefix == "" {
		c.Prefix = DefaultPrefix
	}
	if c.DefaultTTL == 0 {
		c.DefaultTTL = DefaultTTL
	}
	if c.Jitter == 0 {
		c.Jitter = DefaultJitter
	}
	if c.Jitter < 0 {
		c.Jitter = 0
	}
	if c.LoadTimeout == 0 {
		c.LoadTimeout = DefaultLoadTimeout
	}
	if c.RedisTimeout == 0 {
		c.RedisTimeout = DefaultRedisTimeout
	}
	if c.LocalTTL == 0 {
		c.LocalTTL = DefaultLocalTTL
	}
	if c.LocalMaxBytes == 0 {
		c.LocalMaxBytes = DefaultLocalMaxBytes
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}
