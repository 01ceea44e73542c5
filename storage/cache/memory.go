package cache

import (
	"context"
	"sync"
	"time"
)

// DefaultMemoryMaxEntries bounds a [Memory] backend built with maxEntries <= 0.
const DefaultMemoryMaxEntries = 10_000

// Memory is an in-process [Backend]: a bounded LRU with expiry and tag sets. It is
// what [Open] uses when no Redis is configured. It is not shared across processes.
type Memory struct {
	lru *lru

	mu   sync.Mutex
	tags map[string]map[string]struct{} // tag -> keys
}

// NewMemory returns a Memory backend holding at most maxEntries values
// (<= 0: [DefaultMemoryMaxEntries]); the least recently used go first.
func NewMemory(maxEntries int) *Memory {
	if maxEntries <= 0 {
		maxEntries = DefaultMemoryMaxEntries
	}
	return &Memory{lru: newLRU(maxEntries), tags: make(map[string]map[string]struct{})}
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
	return nil
}

// Delete implements [Backend].
func (m *Memory) Delete(_ context.Context, keys ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
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
	return nil
}

// Close implements [Backend]; it drops every entry.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lru.clear()
	clear(m.tags)
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
