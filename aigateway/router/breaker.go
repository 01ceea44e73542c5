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
	gen       uint64 // counts state changes: a permit's outcome counts only in the state that granted it
	failures  int
	openUntil time.Time
	probes    int
}

// A permit is what allow granted: the state (generation) it was granted in, and
// whether it is a half-open probe.
type permit struct {
	gen   uint64
	probe bool
}

// allow reports whether a request may go to the target now, with the permit to
// pass to done; when it may not, it also says when the breaker lets probes through
// again.
func (b *breaker) allow(now time.Time) (permit, bool, time.Time) {
	if b.cfg.Disabled {
		return permit{}, true, time.Time{}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case open:
		if now.Before(b.openUntil) {
			return permit{}, false, b.openUntil
		}
		b.set(halfOpen)
		fallthrough
	case halfOpen:
		if b.probes >= b.cfg.Probes {
			return permit{}, false, now
		}
		b.probes++
		return permit{gen: b.gen, probe: true}, true, time.Time{}
	}
	return permit{gen: b.gen}, true, time.Time{}
}

// set moves the breaker to state, starting a new generation.
func (b *breaker) set(state breakerState) {
	b.state, b.gen, b.probes = state, b.gen+1, 0
	if state != open {
		b.failures = 0
	}
}

// done records the outcome of a request that allow let through with p. A nil err
// is a success; failures the target is not to blame for (the caller's request, the
// caller going away) only give back a half-open probe's own slot. An outcome of a
// permit granted before the breaker last changed state is ignored: a request let
// through while closed that ends while half-open is no probe, and neither frees a
// probe's slot nor decides the probe's verdict.
func (b *breaker) done(now time.Time, p permit, err *provider.Error) {
	if b.cfg.Disabled {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if p.gen != b.gen {
		return
	}
	if err == nil {
		if b.state != closed {
			b.set(closed)
		}
		b.failures = 0
		return
	}
	switch err.Kind {
	case provider.KindInvalidRequest, provider.KindCanceled, provider.KindNotFound:
		if p.probe && b.probes > 0 {
			b.probes--
		}
		return
	}
	b.failures++
	if b.state == halfOpen || b.failures >= b.cfg.Failures {
		b.set(open)
		b.openUntil = now.Add(b.cfg.OpenFor)
	}
}
