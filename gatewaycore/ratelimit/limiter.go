package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// A Limit is a GCRA rate: Rate requests per Period sustained, with up to Burst at once.
// Refilling the whole burst (Burst × Period / Rate) may take at most [MaxRefill].
type Limit struct {
	// Rate is how many requests are allowed per Period, sustained. Must be positive.
	Rate int64
	// Period is the window Rate is counted over. Must be positive.
	Period time.Duration
	// Burst is how many requests may arrive at once; zero means Rate.
	Burst int64
}

// PerSecond returns a [Limit] of n requests per second with a burst of n.
func PerSecond(n int64) Limit { return Limit{Rate: n, Period: time.Second} }

// PerMinute returns a [Limit] of n requests per minute with a burst of n.
func PerMinute(n int64) Limit { return Limit{Rate: n, Period: time.Minute} }

// MaxRefill is the longest a [Limit] may take to refill its whole burst (Burst ×
// Period / Rate, one request per Period/Rate): ten years. The GCRA arithmetic
// holds times up to about twice that ahead of now (in nanoseconds for [Local],
// microseconds in Redis's Lua numbers for [Redis]); past it, they overflow and a
// limit allows everything or nothing.
const MaxRefill = 10 * 365 * 24 * time.Hour

// Validate reports every problem with l at once.
func (l Limit) Validate() error {
	var problems []error
	if l.Rate <= 0 {
		problems = append(problems, fmt.Errorf("rate must be positive, got %d", l.Rate))
	}
	if l.Period <= 0 {
		problems = append(problems, fmt.Errorf("period must be positive, got %s", l.Period))
	}
	if l.Burst < 0 {
		problems = append(problems, fmt.Errorf("burst must not be negative, got %d", l.Burst))
	}
	if len(problems) == 0 && l.burst() > int64(MaxRefill/l.interval()) {
		problems = append(problems, fmt.Errorf("a burst of %d at one request per %s takes longer than %s to refill (burst × period / rate must not exceed MaxRefill)",
			l.burst(), l.interval(), MaxRefill))
	}
	return errors.Join(problems...)
}

// burst returns the effective burst.
func (l Limit) burst() int64 {
	if l.Burst <= 0 {
		return l.Rate
	}
	return l.Burst
}

// interval returns the emission interval: the time one request "costs".
func (l Limit) interval() time.Duration {
	return max(l.Period/time.Duration(l.Rate), time.Microsecond)
}

// A Decision is the outcome of one [Limiter.Allow] call.
type Decision struct {
	// Allowed says whether the request may proceed.
	Allowed bool
	// Limit is the limit that was applied.
	Limit Limit
	// Remaining is how many more requests would be allowed right now.
	Remaining int64
	// RetryAfter is, for a refusal, how long until a request would be allowed.
	RetryAfter time.Duration
	// ResetAfter is how long until the limit is fully replenished.
	ResetAfter time.Duration
	// Degraded says the decision did not come from the configured backend (it was
	// unreachable) but from the failure mode: the backstop limiter or a refusal.
	Degraded bool
	// FailedClosed says the request was refused only because the backend was
	// unreachable and the limiter fails closed.
	FailedClosed bool
}

// A Limiter decides whether one request under key may proceed under limit.
// Implementations must be safe to call concurrently.
type Limiter interface {
	Allow(ctx context.Context, key string, limit Limit) (Decision, error)
}

// gcra applies one GCRA step. now and tat (the theoretical arrival time stored for
// the key, zero when none) are in any consistent unit; it returns the decision and
// the new tat to store (unchanged on refusal).
func gcra(now, tat, interval, burst int64) (allowed bool, newTAT, remaining, retryAfter, resetAfter int64) {
	tau := interval * burst
	tat = max(tat, now)
	next := tat + interval
	allowAt := next - tau
	if now < allowAt {
		return false, tat, 0, allowAt - now, tat - now
	}
	return true, next, (tau - (next - now)) / interval, 0, next - now
}
