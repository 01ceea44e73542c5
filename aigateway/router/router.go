package router

import (
	"context"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/pricing"
	"github.com/footingdev/footing/aigateway/provider"
)

// An Attempt describes one try of one target, for an [Observer].
type Attempt struct {
	Alias  string
	Target string
	// N counts attempts of this request, from 1.
	N int
	// Err is the attempt's failure before its first chunk, or nil when the first
	// chunk arrived.
	Err *provider.Error
	// Wait is how long the router waits before its next attempt on the same target;
	// 0 when it falls back or gives up instead.
	Wait time.Duration
}

// An Observer is told about every attempt. It must be safe to call concurrently and
// must not block.
type Observer interface {
	Attempt(Attempt)
}

// ObserverFunc adapts a function to [Observer].
type ObserverFunc func(Attempt)

// Attempt calls f(a).
func (f ObserverFunc) Attempt(a Attempt) { f(a) }

// An Option configures a [Router].
type Option func(*Router)

// WithClock sets the clock the circuit breakers read (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(r *Router) {
		if now != nil {
			r.now = now
		}
	}
}

// WithObserver tells o about every attempt.
func WithObserver(o Observer) Option {
	return func(r *Router) {
		if o != nil {
			r.observer = o
		}
	}
}

// A Router routes chat requests by alias. It is safe to use concurrently.
type Router struct {
	cfg      Config
	routes   map[string]*route
	now      func() time.Time
	observer Observer
}

type route struct {
	alias   string
	targets []*target
}

type target struct {
	Target
	name    string
	breaker *breaker
	// defaultMax is the max_tokens sent for a request without a positive one: 0
	// (none) when the price table knows the model's maximum output.
	defaultMax int32
}

// New returns a router for cfg, or cfg's problems (see [Config.Validate]).
func New(cfg Config, opts ...Option) (*Router, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	r := &Router{cfg: cfg, routes: make(map[string]*route, len(cfg.Routes)), now: time.Now, observer: ObserverFunc(func(Attempt) {})}
	for _, o := range opts {
		o(r)
	}
	for _, rc := range cfg.Routes {
		rt := &route{alias: rc.Alias}
		for _, t := range rc.Targets {
			rt.targets = append(rt.targets, &target{Target: t, name: t.name(), breaker: &breaker{cfg: cfg.Breaker}, defaultMax: defaultMax(cfg, t)})
		}
		sort.SliceStable(rt.targets, func(i, j int) bool { return rt.targets[i].Priority < rt.targets[j].Priority })
		r.routes[rc.Alias] = rt
	}
	return r, nil
}

// Routes returns the configured routes.
func (r *Router) Routes() []Route { return slices.Clone(r.cfg.Routes) }

// Prices returns the price table the router prices usage with.
func (r *Router) Prices() *pricing.Table { return r.cfg.Prices }

// DefaultMaxTokens returns the max_tokens sent for a request without one to a
// target whose model's maximum output the price table does not know
// ([Config.DefaultMaxTokens], 4096 by default, at most 2^31-1): the most such a
// request can be answered with there, which the gateway reserves.
func (r *Router) DefaultMaxTokens() int64 { return r.cfg.DefaultMaxTokens }

var (
	errFirstChunkTimeout = errors.New("no first chunk within the first-chunk timeout")
	errIdleTimeout       = errors.New("no chunk within the idle timeout")
	errAttemptTimeout    = errors.New("the attempt took longer than the attempt timeout")
)

// Chat sends req to a target of the route named by req.Model and returns the stream
// once its first chunk has arrived. Before that, failures are retried on the same
// target (with backoff, honouring the provider's retry-after) and then fall back to
// the next target; errors that no other target can fix (an invalid request, the
// caller going away) return at once. The returned error is a *provider.Error of
// the last attempt, or an errs error when the alias is unknown or every target's
// breaker is open. The caller must Close the stream.
func (r *Router) Chat(ctx context.Context, req *aiv1.ChatRequest) (*Stream, error) {
	rt, ok := r.routes[req.GetModel()]
	if !ok {
		return nil, errs.NotFound("MODEL_NOT_FOUND", "no model or route named "+quote(req.GetModel()), errs.WithMetadata("model", req.GetModel()))
	}
	var (
		last      *provider.Error
		n         int
		openUntil time.Time
	)
	for _, t := range r.order(rt) {
		for try := 0; try < r.cfg.MaxAttempts; try++ {
			pm, ok, until := t.breaker.allow(r.now())
			if !ok {
				if openUntil.IsZero() || until.Before(openUntil) {
					openUntil = until
				}
				break
			}
			n++
			s, perr := r.attempt(ctx, rt.alias, t, req, pm)
			t.breaker.done(r.now(), pm, perr)
			if perr == nil {
				s.attempts = n
				r.observer.Attempt(Attempt{Alias: rt.alias, Target: t.name, N: n})
				return s, nil
			}
			last = perr
			wait := time.Duration(0)
			retry := perr.Retryable() && try+1 < r.cfg.MaxAttempts && perr.RetryAfter <= r.cfg.MaxRetryAfter
			if retry {
				wait = r.backoff(try, perr.RetryAfter)
			}
			r.observer.Attempt(Attempt{Alias: rt.alias, Target: t.name, N: n, Err: perr, Wait: wait})
			if !perr.Fallback() {
				return nil, perr
			}
			if !retry {
				break
			}
			if err := sleep(ctx, wait); err != nil {
				return nil, &provider.Error{Provider: t.Provider.Name(), Kind: provider.KindCanceled, Err: err}
			}
		}
	}
	if last != nil {
		return nil, last
	}
	return nil, errs.Unavailable("NO_TARGET_AVAILABLE", "every target of "+quote(rt.alias)+" is failing; try again later",
		errs.WithMetadata("model", rt.alias), errs.WithRetryAfter(max(openUntil.Sub(r.now()), time.Second)))
}

// order draws the order in which rt's targets are tried: by priority, and within a
// priority by weighted random choice without replacement.
func (r *Router) order(rt *route) []*target {
	ts := slices.Clone(rt.targets)
	for start := 0; start < len(ts); {
		end := start
		total := 0
		for end < len(ts) && ts[end].Priority == ts[start].Priority {
			total += weight(ts[end])
			end++
		}
		for i := start; i < end-1; i++ {
			pick := rand.IntN(total) //nolint:gosec // load balancing, not security
			j := i
			for ; j < end-1; j++ {
				pick -= weight(ts[j])
				if pick < 0 {
					break
				}
			}
			ts[i], ts[j] = ts[j], ts[i]
			total -= weight(ts[i])
		}
		start = end
	}
	return ts
}

func weight(t *target) int { return max(t.Weight, 1) }

// backoff is the wait before retry number try+1: exponential from BackoffBase,
// capped at BackoffMax, drawn from [d/2, d], and never shorter than retryAfter.
func (r *Router) backoff(try int, retryAfter time.Duration) time.Duration {
	d := r.cfg.BackoffBase << min(try, 30)
	if d > r.cfg.BackoffMax || d <= 0 {
		d = r.cfg.BackoffMax
	}
	d = d/2 + rand.N(d/2+1) //nolint:gosec // jitter, not security
	return max(d, retryAfter)
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// attempt starts one target and waits for its first chunk.
func (r *Router) attempt(ctx context.Context, alias string, t *target, req *aiv1.ChatRequest, pm permit) (*Stream, *provider.Error) {
	actx, cancel := context.WithCancelCause(ctx)
	s := &Stream{router: r, target: t, permit: pm, alias: alias, parent: ctx, ctx: actx, cancel: cancel, id: newID()}
	s.timer = time.AfterFunc(r.cfg.FirstChunkTimeout, func() {
		if s.idle.Load() {
			cancel(errIdleTimeout)
		} else {
			cancel(errFirstChunkTimeout)
		}
	})
	s.deadline = time.AfterFunc(r.cfg.AttemptTimeout, func() { cancel(errAttemptTimeout) })
	defer r.repanic(t, pm, func() { _ = s.release() })
	up, err := t.Provider.Chat(actx, upstreamRequest(req, t))
	if err != nil {
		perr := s.classify(err)
		_ = s.release() // the attempt failed already; closing it cannot fail it more
		return nil, perr
	}
	s.up = up
	first, err := up.Next()
	if err != nil {
		perr := s.classify(err)
		if perr.Kind == provider.KindServer && errors.Is(err, io.EOF) {
			perr.Message = "the stream ended before its first chunk"
		}
		_ = s.release() // the attempt failed already; closing it cannot fail it more
		return nil, perr
	}
	s.idle.Store(true)
	s.timer.Reset(r.cfg.IdleTimeout)
	s.first = first
	return s, nil
}

// repanic, deferred by an attempt on t under the breaker's permit pm, lets a panic
// in the provider go on to the caller (the gateway turns it into an Internal
// error), but first releases the attempt and counts the panic as the target's
// failure, so that a half-open probe gives its slot back instead of holding it for
// good.
func (r *Router) repanic(t *target, pm permit, release func()) {
	v := recover()
	if v == nil {
		return
	}
	release()
	t.breaker.done(r.now(), pm, &provider.Error{Provider: t.Provider.Name(), Kind: provider.KindServer, Message: "the provider panicked"})
	panic(v)
}

// upstreamRequest is req for t's model, without the caller's metadata (never sent
// to a provider), and with t's default max_tokens when req has no positive one.
// It shares req's messages, which providers only read; req itself is not changed.
func upstreamRequest(req *aiv1.ChatRequest, t *target) *aiv1.ChatRequest {
	maxTokens := req.MaxTokens
	if req.GetMaxTokens() <= 0 {
		// Not positive is not a limit (the gateway reserves it as absent). Each
		// request gets its own copy: a provider may hold on to the pointer.
		maxTokens = nil
		if t.defaultMax > 0 {
			maxTokens = new(t.defaultMax)
		}
	}
	return &aiv1.ChatRequest{
		Model:          t.Model,
		Messages:       req.GetMessages(),
		Tools:          req.GetTools(),
		ToolChoice:     req.GetToolChoice(),
		Temperature:    req.Temperature,
		TopP:           req.TopP,
		MaxTokens:      maxTokens,
		Stop:           req.GetStop(),
		ResponseFormat: req.GetResponseFormat(),
		Seed:           req.Seed,
	}
}

// defaultMax is the max_tokens sent to t for a request without a positive one:
// 0 (none) when cfg's price table knows the model's maximum output, which bounds
// the answer, else cfg.DefaultMaxTokens (withDefaults held it to the int32 range).
func defaultMax(cfg Config, t Target) int32 {
	if p, ok := cfg.Prices.Lookup(t.Provider.Name(), t.Model); ok && p.MaxOutputTokens > 0 {
		return 0
	}
	return int32(min(cfg.DefaultMaxTokens, math.MaxInt32)) //nolint:gosec // within the int32 range
}

func quote(s string) string { return "\"" + s + "\"" }
