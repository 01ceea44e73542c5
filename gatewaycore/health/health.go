package health

import (
	"context"
	"errors"
	"log/slog"
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
	// it is shutting down, else "fail".
	Status string                 `json:"status"`
	Checks map[string]CheckResult `json:"checks"`
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

// WithWatchInterval sets how often a gRPC Watch re-runs the checks. Default 5s.
func WithWatchInterval(d time.Duration) Option {
	return func(c *Checker) {
		if d > 0 {
			c.watchEvery = d
		}
	}
}

type namedCheck struct {
	name    string
	timeout time.Duration
	check   Check
}

// A Checker holds named checks and the readiness switch. It is safe for concurrent use.
type Checker struct {
	log        *slog.Logger
	watchEvery time.Duration

	mu      sync.RWMutex
	checks  []namedCheck
	changed chan struct{} // closed and replaced when readiness changes

	notReady atomic.Bool
}

// New returns a ready [Checker] with no checks.
func New(opts ...Option) *Checker {
	c := &Checker{log: slog.Default(), watchEvery: 5 * time.Second, changed: make(chan struct{})}
	for _, opt := range opts {
		opt(c)
	}
	return c
}

// Register adds a readiness check. timeout <= 0 means [DefaultTimeout]. Registering a
// name twice replaces the earlier check.
func (c *Checker) Register(name string, timeout time.Duration, check Check) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.checks {
		if c.checks[i].name == name {
			c.checks[i] = namedCheck{name, timeout, check}
			return
		}
	}
	c.checks = append(c.checks, namedCheck{name, timeout, check})
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
	if c.notReady.Swap(!ready) == !ready {
		return
	}
	c.mu.Lock()
	close(c.changed)
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

// Run runs every check concurrently, each under its own timeout, and reports.
func (c *Checker) Run(ctx context.Context) Report {
	c.mu.RLock()
	checks := append([]namedCheck(nil), c.checks...)
	c.mu.RUnlock()
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
	if !c.Ready() {
		rep.Status = StatusDraining
	}
	return rep
}

func (c *Checker) runOne(ctx context.Context, nc namedCheck) (res CheckResult) {
	ctx, cancel := context.WithTimeout(ctx, nc.timeout)
	defer cancel()
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- errors.New("check panicked")
			}
		}()
		done <- nc.check(ctx)
	}()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		// A check that ignores its context is abandoned; its goroutine ends when it returns.
		err = ctx.Err()
	}
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
