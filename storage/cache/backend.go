package cache

import (
	"context"
	"time"
)

// A Tier names where a cached value was found: the in-process tier, Redis, or the
// in-memory backend.
type Tier string

// The tiers a [Lookup] reports.
const (
	TierLocal  Tier = "local"
	TierRedis  Tier = "redis"
	TierMemory Tier = "memory"
)

// A Lookup is the result of [Backend.Get].
type Lookup struct {
	// Value is the stored bytes; callers must not modify them.
	Value []byte
	// Hit reports whether the key was present.
	Hit bool
	// Tier says which tier answered (also set on a miss).
	Tier Tier
}

// A Backend stores byte values under fully qualified keys. [Redis] and [Memory]
// implement it; [Cache] adds tenant namespaces, codecs, single-flight loading and
// metrics on top. Implementations must be safe to call concurrently.
type Backend interface {
	// Get returns the value under key. A missing key is a Lookup with Hit false and a
	// nil error; an error means the backend could not answer.
	Get(ctx context.Context, key string) (Lookup, error)
	// Set stores value under key for ttl and adds key to each tag's set.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration, tags []string) error
	// Delete removes keys.
	Delete(ctx context.Context, keys ...string) error
	// InvalidateTags removes every key in each tag's set, and the sets.
	InvalidateTags(ctx context.Context, tags ...string) error
	// Close releases the backend's resources.
	Close() error
}
