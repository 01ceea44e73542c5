package quota

import (
	"context"
	"time"
)

// A Counter is one counter a reservation touches: its key, its limit, the amount to
// add and how long the key lives after it is created.
type Counter struct {
	Key   string
	Limit int64
	Add   int64
	TTL   time.Duration
}

// A Store keeps counters. Implementations must be safe to use concurrently and
// across processes where they claim to be shared.
type Store interface {
	// Reserve atomically checks that every counter's value plus its Add stays within
	// its Limit and, only if all do, adds every Add. It returns the index of the
	// first counter that would overflow, or -1 when all were added.
	Reserve(ctx context.Context, counters []Counter) (int, error)
	// Adjust adds each counter's Add (which may be negative) to counters that still
	// exist; expired ones are left alone. Limits are not checked.
	Adjust(ctx context.Context, counters []Counter) error
}
