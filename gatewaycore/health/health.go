package health

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultTimeout is a check's timeout when [Checker.Register] is given none.
const DefaultTimeout = 2 * time.Second

// Statuses reported by checks and by the whole report.
const (
	StatusOK       = "ok"
	StatusFail     = "fail"
	StatusDraining = "draining"
)

// A Check reports whether one dependency is usable; nil means yes. It must honour
// ctx's deadline and be safe to call concurrently.
type Check func(ctx context.Context) error

// A CheckResult is one check's outcome in a [Report].
type CheckResult struct {
	Status string `json:"status"`
	// DurationMS is how long the check took, in milliseconds.
	DurationMS float64 `json:"duration_ms"`
	// Error is "timeout" or "failed"; the cause is logged, never sent, since it may
	// name hosts or credentials.
	Error string `json:"error,omitempty"`
}

// A Report is the outcome of all checks.
type Report struct {
	// Status is "ok" when every check passed and the server is ready, "draining" when
	// it is shutting down, else "fail". The readiness switch is applied when the
	// report is answered, never cached.
	Status string                 `json:"status"`
	Checks map[string]CheckResult `json:"checks"`
	// CheckedAt is when the checks whose results are in Checks finished (UTC): a
	// report may be reused for [DefaultCacheFor] (see [WithCacheFor]), so this says
	// how old it is. Zero (and absent from JSON) when no checks ran: liveness, a
	// draining /readyz, a caller that stopped waiting.
	CheckedAt time.Time `json:"checked_at,omitzero"`
}

// An Option configures a [Checker].
type Option func(*Checker)

// WithLogger sets where failed checks are logged. Default slog.Default(); nil is ignored.
func WithLogger(l *slog.Logger) Option {
	return func(c *Checker) {
		if l != nil {
			c.log = l
		}
	}
}

// DefaultCacheFor is how long a completed run of the checks is reused by
// [Checker.Run], /readyz and gRPC Check, List and Watch. One second is shorter than
// any probe period (a kubelet probes at most once a second, load balancers every
// 5-30 s), so every probe of a prober sees results at most one run old, and long
// enough that a flood of /readyz requests costs one run of the checks per second
// (plus the run's own duration) however many requests arrive: the endpoints are
// public and each run is a round trip to every dependency.
const DefaultCacheFor = time.Second

// WithCacheFor sets how long a completed run of the checks is reused, failures
// included (a flood during an outage must not add load to the failing dependency).
// Default [DefaultCacheFor]; d <= 0 disables the cache, and then only callers that
// arrive while a run is in flight share it. The readiness switch ([Checker.SetReady])
// is never cached, and [Checker.Register] drops the cached run.
func WithCacheFor(d time.Duration) Option {
	return func(c *Checker) { c.cacheFor = max(d, 0) }
}

// WithWatchInterval sets how often a gRPC Watch re-runs the checks. Default 5s.
func WithWatchInterval(d time.Duration) Option {
	return func(c *Checker) {
		if d > 0 {
			c.watchEvery = d
		}
	}
}

// DefaultMaxWatches is how many gRPC Watch streams a [Checker] serves at once unless
// [WithMaxWatches] says otherwise: enough for every load balancer and client of a
// service, while a caller opening streams without end is refused.
const DefaultMaxWatches = 1000

// WithMaxWatches sets how many gRPC Watch streams are served at once. The health
// service answers without a credential, and each stream holds a goroutine and a
// timer for as long as its caller keeps it, so past n streams Watch answers
// ResourceExhausted (reason WATCH_LIMIT) at once; an ended stream frees its slot.
// Default [DefaultMaxWatches]; n <= 0 is ignored.
func WithMaxWatches(n int) Option {
	return func(c *Checker) {
		if n > 0 {
			c.maxWatches = int64(n)
		}
	}
}

type namedCheck struct {
	name    string
	timeout time.Duration
	check   Check
	calls   *calls // shared by the copies runs take; a new one per Register
}

// calls notes the call of one check that is running, if any. A call outlives its
// run when the check ignores its context; the next runs wait for it rather than
// start another beside it.
type calls struct {
	mu      sync.Mutex
	running chan struct{} // closed when the running call returns; nil when none runs
}

// begin starts a call if none is running and returns the channel to close when it
// returns (with started true), else the running call's channel.
func (cs *calls) begin() (ch chan struct{}, started bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.running != nil {
		return cs.running, false
	}
	cs.running = make(chan struct{})
	return cs.running, true
}

// end marks the call begin started as returned.
func (cs *calls) end(ch chan struct{}) {
	cs.mu.Lock()
	cs.running = nil
	cs.mu.Unlock()
	close(ch)
}

// A Checker holds named checks and the readiness switch. It is safe for concurrent use.
type Checker struct {
	log        *slog.Logger
	watchEvery time.Duration
	cacheFor   time.Duration
	now        func() time.Time // time.Now; tests set a clock of their own

	mu      sync.RWMutex
	checks  []namedCheck
	gen     uint64        // incremented by Register: runs of an older set are not reused
	changed chan struct{} // closed and replaced when readiness changes

	maxWatches int64
	watches    atomic.Int64 // Watch streams being served

	notReady atomic.Bool
	draining atomic.Bool // Drain was called: Watch streams end once told NOT_SERVING

	runMu   sync.Mutex
	flying  *run // the run in flight, if any
	last    *run // the last completed run, if any
	waiting atomic.Int64
}

// A run is one run of the checks, shared by every caller that waits for it.
type run struct {
	gen  uint64
	done chan struct{} // closed when rep and at are set
	rep  Report        // Status "ok" or "fail": readiness is applied per caller
	at   time.Time     // c.now() when the run finished, for the cache
}

// New returns a ready [Checker] with no checks.
func New(opts ...Option) *Checker {
	c := &Checker{
		log: slog.Default(), watchEvery: 5 * time.Second, cacheFor: DefaultCacheFor, maxWatches: DefaultMaxWatches,
		now: time.Now, changed: make(chan struct{}),
	}
	for _, opt := range opts {
		opt(c)
	}
	return c
}

// Register adds a readiness check. timeout <= 0 means [DefaultTimeout]. Registering a
// name twice replaces the earlier check.
//
// A check is called at most once at a time: a call that outlives its timeout (a
// check that ignores its context) is abandoned by its run, which reports
// "timeout", and later runs wait for it, up to the timeout, instead of calling the
// check again beside it — they report "timeout" too while it runs, so that a hung
// dependency never has calls piled up on it, one per run.
func (c *Checker) Register(name string, timeout time.Duration, check Check) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	nc := namedCheck{name, timeout, check, &calls{}}
	for i := range c.checks {
		if c.checks[i].name == name {
			c.checks[i] = nc
			c.gen++
			return
		}
	}
	c.checks = append(c.checks, nc)
	c.gen++
}

// Names returns the registered check names in registration order.
func (c *Checker) Names() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]string, len(c.checks))
	for i, nc := range c.checks {
		out[i] = nc.name
	}
	return out
}

// SetReady turns readiness on or off. gatewaycore/server turns it off when a
// shutdown starts; /readyz then answers 503 and gRPC health NOT_SERVING at once.
func (c *Checker) SetReady(ready bool) {
	if ready {
		c.draining.Store(false)
	}
	if c.notReady.Swap(!ready) == !ready {
		return
	}
	c.mu.Lock()
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
}

// Drain turns readiness off, as SetReady(false) does, for a server that is going
// away: gRPC Watch streams then end once they have told their callers NOT_SERVING,
// instead of staying open until the graceful shutdown's deadline cuts them.
// gatewaycore/server calls it as a shutdown starts, when its readiness switch has
// it. SetReady(true) undoes it.
func (c *Checker) Drain() {
	c.draining.Store(true)
	c.notReady.Store(true)
	c.mu.Lock()
	close(c.changed) // wake the watchers, so that they end
	c.changed = make(chan struct{})
	c.mu.Unlock()
}

// Ready reports the readiness switch (not the checks).
func (c *Checker) Ready() bool { return !c.notReady.Load() }

func (c *Checker) changes() <-chan struct{} {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.changed
}

// Run reports every check's result and the readiness switch. Callers share runs of
// the checks: a caller that arrives while a run is in flight waits for it, and a
// completed run is reused for the cache interval ([WithCacheFor]), so however many
// callers there are (public /readyz and gRPC health requests, Watch streams) the
// dependencies see at most one run per interval. A run runs every check
// concurrently, each under its own timeout, in a context of its own that keeps the
// values of the caller that started it but not its cancellation: when ctx ends,
// Run stops waiting and reports every check failed ("timeout" if ctx's deadline
// passed, else "failed"), and the run goes on for the other callers.
//
// The readiness switch is read on every call: after SetReady(false) Run reports
// "draining" at once, whatever the cached run says, and after SetReady(true) the
// cached run's status again.
func (c *Checker) Run(ctx context.Context) Report {
	rep, err := c.shared(ctx)
	if err != nil {
		c.mu.RLock()
		rep = Report{Status: StatusFail, Checks: make(map[string]CheckResult, len(c.checks))}
		for _, nc := range c.checks {
			res := CheckResult{Status: StatusFail, Error: "failed"}
			if errors.Is(err, context.DeadlineExceeded) {
				res.Error = "timeout"
			}
			rep.Checks[nc.name] = res
		}
		c.mu.RUnlock()
	} else {
		rep.Checks = maps.Clone(rep.Checks) // the run's map is shared with other callers
	}
	if !c.Ready() {
		rep.Status = StatusDraining
	}
	return rep
}

// shared returns the cached run's report if it is fresh, else waits for the run in
// flight, starting one if there is none, or returns ctx's error if ctx ends first.
// The report returned is shared: its Checks must not be modified.
func (c *Checker) shared(ctx context.Context) (Report, error) {
	c.mu.RLock()
	gen := c.gen
	c.mu.RUnlock()
	c.runMu.Lock()
	if l := c.last; l != nil && l.gen == gen && c.cacheFor > 0 && c.now().Sub(l.at) < c.cacheFor {
		c.runMu.Unlock()
		return l.rep, nil
	}
	r := c.flying
	if r == nil || r.gen != gen {
		c.mu.RLock()
		r = &run{gen: c.gen, done: make(chan struct{})}
		checks := append([]namedCheck(nil), c.checks...)
		c.mu.RUnlock()
		c.flying = r
		go c.fly(context.WithoutCancel(ctx), r, checks)
	}
	c.runMu.Unlock()
	c.waiting.Add(1)
	defer c.waiting.Add(-1)
	select {
	case <-r.done:
		return r.rep, nil
	case <-ctx.Done():
		return Report{}, ctx.Err()
	}
}

// fly runs checks for r and publishes the report. It ends within the longest of the
// checks' timeouts.
func (c *Checker) fly(ctx context.Context, r *run, checks []namedCheck) {
	results := make([]CheckResult, len(checks))
	var wg sync.WaitGroup
	for i, nc := range checks {
		wg.Go(func() { results[i] = c.runOne(ctx, nc) })
	}
	wg.Wait()
	rep := Report{Status: StatusOK, Checks: make(map[string]CheckResult, len(checks))}
	for i, nc := range checks {
		rep.Checks[nc.name] = results[i]
		if results[i].Status != StatusOK {
			rep.Status = StatusFail
		}
	}
	r.at = c.now()
	rep.CheckedAt = r.at.UTC()
	r.rep = rep
	c.runMu.Lock()
	if c.flying == r {
		c.flying = nil
	}
	if c.last == nil || c.last.gen <= r.gen {
		c.last = r
	}
	c.runMu.Unlock()
	close(r.done)
}

// call calls nc's check under ctx, or reports ctx's error if it ends first: a check
// that ignores its context is abandoned then, and its call ends when it returns.
// While an earlier call of the check is still running, call waits for it to return
// (and then calls the check) rather than call it beside it.
func (c *Checker) call(ctx context.Context, nc namedCheck) error {
	for {
		ch, started := nc.calls.begin()
		if !started {
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return fmt.Errorf("not called again: an earlier call has not returned: %w", ctx.Err())
			}
		}
		done := make(chan error, 1)
		go func() {
			defer nc.calls.end(ch)
			defer func() {
				if v := recover(); v != nil {
					// For the log only: the report says "failed".
					done <- fmt.Errorf("check panicked: %v\n%s", v, debug.Stack())
				}
			}()
			done <- nc.check(ctx)
		}()
		select {
		case err := <-done:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (c *Checker) runOne(ctx context.Context, nc namedCheck) (res CheckResult) {
	ctx, cancel := context.WithTimeout(ctx, nc.timeout)
	defer cancel()
	start := time.Now()
	err := c.call(ctx, nc)
	res.DurationMS = float64(time.Since(start).Microseconds()) / 1000
	switch {
	case err == nil:
		res.Status = StatusOK
		return res
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		res.Status, res.Error = StatusFail, "timeout"
	default:
		res.Status, res.Error = StatusFail, "failed"
	}
	c.log.WarnContext(ctx, "health check failed", "check", nc.name, "error", err)
	return res
}
