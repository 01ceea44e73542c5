package router

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/footingdev/footing/contracts/errs"

	"github.com/footingdev/footing/aigateway/pricing"
	"github.com/footingdev/footing/aigateway/provider"
)

// A Target is one place a route can send a request: a provider account (which holds
// its base URL and key), the provider's model id, and the target's share of traffic.
type Target struct {
	// Name identifies the target in telemetry and for its circuit breaker; it defaults
	// to "<provider>/<model>". Give targets that share a provider and model (two keys
	// of one account) distinct names.
	Name     string
	Provider provider.Provider
	Model    string
	// Weight is the target's share among targets of the same Priority; 0 means 1.
	Weight int
	// Priority orders targets: all of priority 0 are tried (in an order drawn by
	// weight) before any of priority 1, and so on.
	Priority int
}

func (t Target) name() string {
	if t.Name != "" {
		return t.Name
	}
	return t.Provider.Name() + "/" + t.Model
}

// A Route maps an alias, the model name callers use, to its targets.
type Route struct {
	Alias   string
	Targets []Target
}

// BreakerConfig configures the circuit breaker of each target. The zero value means
// the defaults.
type BreakerConfig struct {
	// Failures is how many consecutive failures open the breaker (default 5).
	Failures int
	// OpenFor is how long an open breaker refuses before it lets probes through
	// (default 30s).
	OpenFor time.Duration
	// Probes is how many requests a half-open breaker lets through at once (default 1).
	Probes int
	// Disabled turns the breakers off.
	Disabled bool
}

// Config configures a [Router]. The zero value of each field means its default.
type Config struct {
	// Routes are the aliases callers may use. A request whose model is not an alias
	// fails with NotFound.
	Routes []Route
	// Prices prices usage (default [pricing.Default]).
	Prices *pricing.Table
	// MaxAttempts is how many times one target is tried before falling back (default 2).
	MaxAttempts int
	// BackoffBase and BackoffMax bound the exponential backoff between attempts on
	// one target (defaults 100ms and 2s); each wait is drawn from [d/2, d].
	BackoffBase, BackoffMax time.Duration
	// MaxRetryAfter is the longest retry-after the router waits for on one target;
	// a longer one falls back at once (default 5s).
	MaxRetryAfter time.Duration
	// AttemptTimeout bounds one whole attempt, stream included (default 10m).
	AttemptTimeout time.Duration
	// FirstChunkTimeout bounds the time from an attempt's start to its first chunk
	// (default 60s).
	FirstChunkTimeout time.Duration
	// IdleTimeout bounds the time between two chunks (default 60s).
	IdleTimeout time.Duration
	// Breaker configures the per-target circuit breakers.
	Breaker BreakerConfig
	// DefaultMaxTokens is the max_tokens sent to a target whose model's maximum
	// output the price table (Prices) does not know — not listed, or listed without
	// max_output_tokens — when the request has no positive max_tokens of its own
	// (default 4096; held to 2^31-1, what the request field holds). Without it such
	// a model could answer at any length, beyond what the gateway reserved. A
	// target whose maximum is known is sent no limit (its maximum bounds the
	// answer), and a request's own positive max_tokens is sent as it is. The
	// gateway reserves the same value ([Router.DefaultMaxTokens]).
	DefaultMaxTokens int64
}

// defaultMaxTokens is the default of [Config.DefaultMaxTokens].
const defaultMaxTokens = 4096

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.Prices == nil {
		c.Prices = pricing.Default()
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 2
	}
	def(&c.BackoffBase, 100*time.Millisecond)
	def(&c.BackoffMax, 2*time.Second)
	def(&c.MaxRetryAfter, 5*time.Second)
	def(&c.AttemptTimeout, 10*time.Minute)
	def(&c.FirstChunkTimeout, 60*time.Second)
	def(&c.IdleTimeout, 60*time.Second)
	if c.Breaker.Failures == 0 {
		c.Breaker.Failures = 5
	}
	def(&c.Breaker.OpenFor, 30*time.Second)
	if c.Breaker.Probes == 0 {
		c.Breaker.Probes = 1
	}
	if c.DefaultMaxTokens == 0 {
		c.DefaultMaxTokens = defaultMaxTokens
	}
	c.DefaultMaxTokens = min(c.DefaultMaxTokens, math.MaxInt32) // what the request field holds
	return c
}

// Validate reports every problem of c at once, as an InvalidArgument error with a
// field violation each.
func (c Config) Validate() error {
	var v []error
	bad := func(field, msg string) { v = append(v, fieldErr{field, msg}) }
	aliases := map[string]bool{}
	names := map[string]bool{}
	for i, r := range c.Routes {
		f := fmt.Sprintf("routes[%d]", i)
		if r.Alias == "" {
			bad(f+".alias", "must not be empty")
		} else if aliases[r.Alias] {
			bad(f+".alias", fmt.Sprintf("%q is defined twice", r.Alias))
		}
		aliases[r.Alias] = true
		if len(r.Targets) == 0 {
			bad(f+".targets", "must have at least one target")
		}
		for j, t := range r.Targets {
			tf := fmt.Sprintf("%s.targets[%d]", f, j)
			if t.Provider == nil {
				bad(tf+".provider", "must be set")
				continue
			}
			if t.Model == "" {
				bad(tf+".model", "must not be empty")
			}
			if t.Weight < 0 {
				bad(tf+".weight", "must not be negative")
			}
			if n := r.Alias + "\x00" + t.name(); names[n] {
				bad(tf+".name", fmt.Sprintf("%q appears twice in the route; give the targets distinct names", t.name()))
			} else {
				names[n] = true
			}
		}
	}
	neg := func(field string, d time.Duration) {
		if d < 0 {
			bad(field, "must not be negative")
		}
	}
	if c.MaxAttempts < 0 {
		bad("max_attempts", "must not be negative")
	}
	neg("backoff_base", c.BackoffBase)
	neg("backoff_max", c.BackoffMax)
	neg("max_retry_after", c.MaxRetryAfter)
	neg("attempt_timeout", c.AttemptTimeout)
	neg("first_chunk_timeout", c.FirstChunkTimeout)
	neg("idle_timeout", c.IdleTimeout)
	neg("breaker.open_for", c.Breaker.OpenFor)
	if c.Breaker.Failures < 0 || c.Breaker.Probes < 0 {
		bad("breaker", "failures and probes must not be negative")
	}
	if c.DefaultMaxTokens < 0 {
		bad("default_max_tokens", "must not be negative")
	}
	if len(v) == 0 {
		return nil
	}
	opts := make([]errs.Option, 0, len(v))
	msgs := make([]string, 0, len(v))
	for _, e := range v {
		var fe fieldErr
		errors.As(e, &fe)
		opts = append(opts, errs.WithFieldViolation(fe.field, fe.msg, "INVALID"))
		msgs = append(msgs, fe.Error())
	}
	return errs.InvalidArgument("ROUTER_CONFIG_INVALID", fmt.Sprintf("the router configuration has %d problem(s): %s", len(v), strings.Join(msgs, "; ")), opts...)
}

type fieldErr struct{ field, msg string }

func (e fieldErr) Error() string { return e.field + " " + e.msg }
