package cache

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"time"
)

// DefaultMemoryMaxEntries bounds a [Memory] backend built with maxEntries <= 0.
const DefaultMemoryMaxEntries = 10_000

// DefaultMemoryMaxBytes bounds the bytes a [Memory] backend holds unless
// [WithMemoryMaxBytes] says otherwise: 64 MiB, room for the default 10,000 entries at
// about 6 KiB each, and a small share of a service's usual memory limit (512 MiB to a
// few GiB), so that a service caching large values (rendered documents, list pages)
// runs out of cache, not of memory.
const DefaultMemoryMaxBytes = 64 << 20

// Memory is an in-process [Backend]: an LRU bounded by entry count and by bytes, with
// expiry and tag sets. It is what [Open] uses when no Redis is configured. It is not
// shared across processes.
type Memory struct {
	lru *lru

	mu     sync.Mutex
	tags   map[string]map[string]struct{} // tag -> keys
	leases map[string]memoryLease         // key -> its current lease
	lastID uint64                         // lease ids, under mu
}

// A memoryLease is a [Memory] key's current lease.
type memoryLease struct {
	id      string
	expires time.Time
	tags    []string
}

// maxIdleLeases is how many leases Memory keeps before it sweeps out expired ones
// (left by loads that failed).
const maxIdleLeases = 64

// A MemoryOption configures a [Memory] backend.
type MemoryOption func(*memoryOptions)

type memoryOptions struct {
	maxBytes int64
}

// WithMemoryMaxBytes bounds the bytes a [Memory] backend holds at n (<= 0:
// [DefaultMemoryMaxBytes]). An entry counts its key, value and tags plus a fixed
// overhead of about 200 bytes (the backend's own bookkeeping), so the bound is close to
// the memory the values take. A value larger than the whole bound is not stored.
func WithMemoryMaxBytes(n int64) MemoryOption {
	return func(o *memoryOptions) { o.maxBytes = n }
}

// NewMemory returns a Memory backend holding at most maxEntries values
// (<= 0: [DefaultMemoryMaxEntries]) and at most [DefaultMemoryMaxBytes] bytes, or the
// bound [WithMemoryMaxBytes] gives; past either bound the least recently used go
// first. A Set of a value larger than the whole byte bound stores nothing and removes
// the value it replaces: the next Get misses.
func NewMemory(maxEntries int, opts ...MemoryOption) *Memory {
	if maxEntries <= 0 {
		maxEntries = DefaultMemoryMaxEntries
	}
	var o memoryOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.maxBytes <= 0 {
		o.maxBytes = DefaultMemoryMaxBytes
	}
	return &Memory{lru: newLRU(maxEntries, o.maxBytes), tags: make(map[string]map[string]struct{}), leases: make(map[string]memoryLease)}
}

// Get implements [Backend].
func (m *Memory) Get(_ context.Context, key string) (Lookup, error) {
	v, ok := m.lru.get(key)
	return Lookup{Value: v, Hit: ok, Tier: TierMemory}, nil
}

// Set implements [Backend].
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration, tags []string) error {
	value = append([]byte(nil), value...) // the caller may reuse its slice
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.leases, key) // a load in flight must not overwrite this newer value
	m.setLocked(key, value, ttl, tags)
	return nil
}

// Lease implements [Leaser].
func (m *Memory) Lease(_ context.Context, key string, hold, _ time.Duration, tags []string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.lru.now()
	if len(m.leases) >= maxIdleLeases {
		for k, l := range m.leases {
			if !now.Before(l.expires) {
				delete(m.leases, k)
			}
		}
	}
	m.lastID++
	id := strconv.FormatUint(m.lastID, 36)
	m.leases[key] = memoryLease{id: id, expires: now.Add(hold), tags: slices.Clone(tags)}
	return id, nil
}

// SetLeased implements [Leaser].
func (m *Memory) SetLeased(_ context.Context, key, lease string, value []byte, ttl time.Duration, tags []string) (bool, error) {
	value = append([]byte(nil), value...)
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.leases[key]
	if !ok || l.id != lease {
		return false, nil
	}
	delete(m.leases, key)
	if !m.lru.now().Before(l.expires) {
		return false, nil
	}
	m.setLocked(key, value, ttl, tags)
	return true, nil
}

func (m *Memory) setLocked(key string, value []byte, ttl time.Duration, tags []string) {
	evicted, stored := m.lru.set(key, value, ttl, tags)
	for _, e := range evicted {
		m.untagLocked(e)
	}
	if !stored {
		return
	}
	for _, t := range tags {
		set, ok := m.tags[t]
		if !ok {
			set = make(map[string]struct{})
			m.tags[t] = set
		}
		set[key] = struct{}{}
	}
}

// Delete implements [Backend].
func (m *Memory) Delete(_ context.Context, keys ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		delete(m.leases, k)
		if e, ok := m.lru.remove(k); ok {
			m.untagLocked(e)
		}
	}
	return nil
}

// InvalidateTags implements [Backend].
func (m *Memory) InvalidateTags(_ context.Context, tags ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range tags {
		for k := range m.tags[t] {
			if e, ok := m.lru.remove(k); ok {
				m.untagLocked(e)
			}
		}
		delete(m.tags, t)
	}
	for k, l := range m.leases {
		for _, t := range l.tags {
			if slices.Contains(tags, t) {
				delete(m.leases, k)
				break
			}
		}
	}
	return nil
}

// Close implements [Backend]; it drops every entry.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lru.clear()
	clear(m.tags)
	clear(m.leases)
	return nil
}

func (m *Memory) untagLocked(e *lruEntry) {
	for _, t := range e.tags {
		if set, ok := m.tags[t]; ok {
			delete(set, e.key)
			if len(set) == 0 {
				delete(m.tags, t)
			}
		}
	}
}
