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

// A Leaser is a [Backend] that can refuse to store a value that may be stale.
// [Cache.GetOrLoad] takes a lease on a key before it runs the loader and stores what the
// loader returned only if the lease still holds; [Backend.Set] and [Backend.Delete] of
// the key and [Backend.InvalidateTags] of one of its tags revoke the lease. So a value read from the
// source before a write, and ready only after that write's invalidation, is not stored
// over it. [Redis] and [Memory] are Leasers; GetOrLoad stores unconditionally through
// a Backend that is not.
type Leaser interface {
	// Lease takes a lease on key valid for hold, replacing any other lease on it, and
	// adds key to each tag's set (kept for at least ttl+hold), so that invalidating a
	// tag revokes the lease. An empty lease with a nil error means key cannot be leased
	// here: store the value with Set.
	Lease(ctx context.Context, key string, hold, ttl time.Duration, tags []string) (lease string, err error)
	// SetLeased stores value under key for ttl, as Set does, if lease is still key's
	// lease, and ends the lease. It reports whether it stored the value.
	SetLeased(ctx context.Context, key, lease string, value []byte, ttl time.Duration, tags []string) (bool, error)
}
