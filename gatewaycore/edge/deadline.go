package edge

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// deadlineCtx is the context [Timeouts] gives a request: a context with a deadline
// whose timer is armed only when something waits for it. context.WithDeadline
// allocates a timer, a cancel context and their closures and arms the timer on every
// request, yet most handlers that finish in microseconds never wait on Done; for
// those the deadline is still visible (Deadline) and enforced (Err), at the cost of
// one small allocation.
//
// The first call of Done — made by anything that waits on the context or derives a
// cancelable child from it (context.WithCancel, context.AfterFunc, a database
// driver, a Connect client) — creates the context.WithDeadline it stands for, and
// from then on everything is that context's answer. Until then Err reports the
// parent's error, context.Canceled once the request has ended, or
// context.DeadlineExceeded once the deadline has passed — what the WithDeadline
// context would say.
type deadlineCtx struct {
	context.Context // the parent

	deadline time.Time // the effective deadline: the earlier of the parent's and the route's

	mu    sync.Mutex
	inner atomic.Pointer[timedCtx] // set once, by materialize
	ended atomic.Bool              // the request is over: as if cancel had been called
}

type timedCtx struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func newDeadlineCtx(parent context.Context, d time.Duration) *deadlineCtx {
	dl := time.Now().Add(d)
	if pd, ok := parent.Deadline(); ok && pd.Before(dl) {
		dl = pd
	}
	return &deadlineCtx{Context: parent, deadline: dl}
}

// materialize returns the context.WithDeadline that c stands for, creating it on
// the first call; once the request has ended it is created canceled.
func (c *deadlineCtx) materialize() context.Context {
	if t := c.inner.Load(); t != nil {
		return t.ctx
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := c.inner.Load(); t != nil {
		return t.ctx
	}
	ctx, cancel := context.WithDeadline(c.Context, c.deadline)
	if c.ended.Load() {
		cancel()
	}
	c.inner.Store(&timedCtx{ctx: ctx, cancel: cancel})
	return ctx
}

// end is the request's end: the context is canceled from now on.
func (c *deadlineCtx) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ended.Store(true)
	if t := c.inner.Load(); t != nil {
		t.cancel()
	}
}

func (c *deadlineCtx) Deadline() (time.Time, bool) { return c.deadline, true }

func (c *deadlineCtx) Done() <-chan struct{} { return c.materialize().Done() }

func (c *deadlineCtx) Err() error {
	if t := c.inner.Load(); t != nil {
		return t.ctx.Err()
	}
	if err := c.Context.Err(); err != nil {
		return err
	}
	if c.ended.Load() || !time.Now().Before(c.deadline) {
		// Let the real context say which (and keep context.Cause consistent).
		return c.materialize().Err()
	}
	return nil
}

func (c *deadlineCtx) Value(key any) any {
	if t := c.inner.Load(); t != nil {
		return t.ctx.Value(key)
	}
	if c.ended.Load() {
		return c.materialize().Value(key)
	}
	return c.Context.Value(key)
}

func (c *deadlineCtx) String() string {
	return "edge.Timeouts deadline " + c.deadline.String()
}
