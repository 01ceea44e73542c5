package ratelimit

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/footingdev/footing/observability/semconv"
)

//go:embed gcra.lua
var gcraLua string

var gcraScript = redis.NewScript(gcraLua)

// FailureMode says what [Redis] does when Redis cannot be reached.
type FailureMode int

const (
	// FailOpen answers from the in-process backstop limiter: each instance then
	// enforces the limit on its own share of the traffic.
	FailOpen FailureMode = iota
	// FailClosed refuses every request until Redis answers again.
	FailClosed
)

// String returns "fail_open" or "fail_closed", the metric's mode attribute.
func (m FailureMode) String() string {
	if m == FailClosed {
		return "fail_closed"
	}
	return "fail_open"
}

// RedisConfig configures [NewRedis]. Its zero value, with a Client, is usable.
type RedisConfig struct {
	// Client runs the script; a *redis.Client, *redis.ClusterClient or *redis.Ring.
	Client redis.Scripter
	// Prefix is prepended to every key, for example "myservice:rl:". Default "footing:rl:".
	Prefix string
	// FailureMode is what to do when Redis is unreachable. Default FailOpen.
	FailureMode FailureMode
	// Backstop answers in FailOpen mode. Default a new [Local] holding at most
	// [DefaultMaxKeys] keys (see [WithMaxKeys]), so that a flood of new keys while
	// Redis is down cannot grow it without bound either.
	Backstop Limiter
	// FailClosedRetryAfter is the RetryAfter of FailClosed refusals. Default 1s.
	FailClosedRetryAfter time.Duration
	// Timeout bounds one decision's round trip, whatever the client's own timeouts
	// (see [NewRedis]). Default 250ms.
	Timeout time.Duration
	// Now, when set, supplies the time sent to the script (tests step it). When nil
	// the script uses Redis's own clock, so instances with skewed clocks agree.
	Now func() time.Time
	// MeterProvider records footing.ratelimit.backend.errors, and the default
	// Backstop's footing.ratelimit.local.evictions. Default the global one.
	MeterProvider metric.MeterProvider
}

// Redis is a [Limiter] whose state lives in Redis: one EVALSHA round trip per
// decision, atomic in the script, shared by every instance using the same prefix.
// It is safe for concurrent use.
type Redis struct {
	cfg      RedisConfig
	failures metric.Int64Counter
	modeAttr metric.AddOption
	// bounded says the client gives up at the context's deadline by itself;
	// otherwise each decision runs on a goroutine of its own and Allow stops
	// waiting for it at Timeout.
	bounded bool
}

// NewRedis returns a [Redis] limiter for cfg.
//
// A go-redis client ignores context deadlines on its sockets unless its options
// set ContextTimeoutEnabled (off by default), and would wait its own ReadTimeout
// (5 s by default, or for ever) for a Redis that stopped answering. So that
// Timeout bounds every decision, a *redis.Client without ContextTimeoutEnabled is
// used through its WithTimeout(Timeout) clone (same connection pool, socket
// deadlines of Timeout), and with any other client that does not set
// ContextTimeoutEnabled (a *redis.ClusterClient or *redis.Ring without it, or a
// Scripter of your own) each decision runs on its own goroutine, which Allow stops
// waiting for at Timeout.
func NewRedis(cfg RedisConfig) (*Redis, error) {
	if cfg.Client == nil {
		return nil, errors.New("ratelimit: RedisConfig.Client is required")
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "footing:rl:"
	}
	if cfg.FailClosedRetryAfter <= 0 {
		cfg.FailClosedRetryAfter = time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 250 * time.Millisecond
	}
	if cfg.MeterProvider == nil {
		cfg.MeterProvider = otel.GetMeterProvider()
	}
	if cfg.Backstop == nil {
		cfg.Backstop = NewLocal(WithClock(cfg.Now), WithLocalMeterProvider(cfg.MeterProvider))
	}
	bounded := false
	switch c := cfg.Client.(type) {
	case *redis.Client:
		if !c.Options().ContextTimeoutEnabled {
			cfg.Client = c.WithTimeout(cfg.Timeout)
		}
		bounded = true
	case *redis.ClusterClient:
		bounded = c.Options().ContextTimeoutEnabled
	case *redis.Ring:
		bounded = c.Options().ContextTimeoutEnabled
	}
	m := semconv.RateLimitBackend
	failures, err := cfg.MeterProvider.Meter(meterName).Int64Counter(m.Name, metric.WithUnit(m.Unit), metric.WithDescription(m.Description))
	if err != nil {
		return nil, fmt.Errorf("ratelimit: %w", err)
	}
	return &Redis{
		cfg:      cfg,
		failures: failures,
		modeAttr: metric.WithAttributeSet(attribute.NewSet(attribute.String("mode", cfg.FailureMode.String()))),
		bounded:  bounded,
	}, nil
}

const meterName = "github.com/footingdev/footing/gatewaycore/ratelimit"

// Allow implements [Limiter]. It returns an error only for an invalid limit; a Redis
// failure is absorbed by the failure mode and reported as a Degraded decision.
func (r *Redis) Allow(ctx context.Context, key string, limit Limit) (Decision, error) {
	if err := limit.Validate(); err != nil {
		return Decision{}, err
	}
	interval := limit.interval().Microseconds()
	tau := interval * limit.burst()
	now := ""
	if r.cfg.Now != nil {
		now = strconv.FormatInt(r.cfg.Now().UnixMicro(), 10)
	}
	callCtx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	res, err := r.run(callCtx, r.cfg.Prefix+key, interval, tau, now)
	if err == nil && res == 0 {
		err = errors.New("ratelimit: script returned 0")
	}
	if err != nil {
		if ctx.Err() != nil {
			return Decision{}, ctx.Err() // The caller gave up; Redis is not to blame.
		}
		return r.degraded(ctx, key, limit)
	}
	return redisDecision(res, interval, tau, limit), nil
}

// run runs the script for key, giving up when ctx ends even if the client would
// not (see [NewRedis]).
func (r *Redis) run(ctx context.Context, key string, interval, tau int64, now string) (int64, error) {
	if r.bounded {
		return gcraScript.Run(ctx, r.cfg.Client, []string{key}, interval, tau, now).Int64()
	}
	type reply struct {
		n   int64
		err error
	}
	ch := make(chan reply, 1)
	go func() {
		n, err := gcraScript.Run(ctx, r.cfg.Client, []string{key}, interval, tau, now).Int64()
		ch <- reply{n, err}
	}()
	select {
	case rep := <-ch:
		return rep.n, rep.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// redisDecision expands the script's one-integer reply (see gcra.lua): r > 0 is an
// allowed request whose new TAT is r µs ahead of now; r < 0 a refused one whose TAT
// is -r µs ahead.
func redisDecision(r, interval, tau int64, limit Limit) Decision {
	d := Decision{Limit: limit}
	if r > 0 {
		d.Allowed = true
		d.Remaining = (tau - r) / interval
		d.ResetAfter = time.Duration(r) * time.Microsecond
		return d
	}
	d.ResetAfter = time.Duration(-r) * time.Microsecond
	d.RetryAfter = time.Duration(-r+interval-tau) * time.Microsecond
	return d
}

func (r *Redis) degraded(ctx context.Context, key string, limit Limit) (Decision, error) {
	r.failures.Add(context.WithoutCancel(ctx), 1, r.modeAttr)
	if r.cfg.FailureMode == FailClosed {
		return Decision{Limit: limit, RetryAfter: r.cfg.FailClosedRetryAfter, Degraded: true, FailedClosed: true}, nil
	}
	d, err := r.cfg.Backstop.Allow(ctx, key, limit)
	d.Degraded = true
	return d, err
}
