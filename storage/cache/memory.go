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

// Memory is an in-process [Backend]: a bounded LRU with expiry and tag sets. It is
// what [Open] uses when no Redis is configured. It is not shared across processes.
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

// NewMemory returns a Memory backend holding at most maxEntries values
// (<= 0: [DefaultMemoryMaxEntries]); the least recently used go first.
func NewMemory(maxEntries int) *Memory {
	if maxEntries <= 0 {
		maxEntries = DefaultMemoryMaxEntries
	}
	return &Memory{lru: newLRU(maxEntries), tags: make(map[string]map[string]struct{}), leases: make(map[string]memoryLease)}
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
	for _, e := range m.lru.set(key, value, ttl, tags) {
		m.untagLocked(e)
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
