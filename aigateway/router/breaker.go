package router

import (
	"sync"
	"time"

	"github.com/footingdev/footing/aigateway/provider"
)

type breakerState int

const (
	closed breakerState = iota
	open
	halfOpen
)

// breaker is one target's circuit breaker.
type breaker struct {
	cfg BreakerConfig

	mu        sync.Mutex
	state     breakerState
	failures  int
	openUntil time.Time
	probes    int
}

// allow reports whether a request may go to the target now; when it may not, it
// also says when the breaker lets probes through again.
func (b *breaker) allow(now time.Time) (bool, time.Time) {
	if b.cfg.Disabled {
		return true, time.Time{}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case open:
		if now.Before(b.openUntil) {
			return false, b.openUntil
		}
		b.state, b.probes = halfOpen, 0
		fallthrough
	case halfOpen:
		if b.probes >= b.cfg.Probes {
			return false, now
		}
		b.probes++
	}
	return true, time.Time{}
}

// done records the outcome of a request that allow let through. A nil err is a
// success; failures the target is not to blame for (the caller's request, the
// caller going away) only give back a half-open probe.
func (b *breaker) done(now time.Time, err *provider.Error) {
	if b.cfg.Disabled {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err == nil {
		b.state, b.failures = closed, 0
		return
	}
	switch err.Kind {
	case provider.KindInvalidRequest, provider.KindCanceled, provider.KindNotFound:
		if b.state == halfOpen && b.probes > 0 {
			b.probes--
		}
		return
	}
	b.failures++
	if b.state == halfOpen || b.failures >= b.cfg.Failures {
		b.state, b.openUntil = open, now.Add(b.cfg.OpenFor)
	}
}
