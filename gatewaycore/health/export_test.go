package health

import "time"

// WithClock sets the clock that dates runs and ages the cache.
func WithClock(now func() time.Time) Option {
	return func(c *Checker) { c.now = now }
}

// Waiting returns how many callers are waiting for a run in flight.
func Waiting(c *Checker) int { return int(c.waiting.Load()) }
