package quota

import (
	"context"
	"sync"
	"time"
)

// MemoryStore is a [Store] in the process's memory, for gateways without Redis. Its
// counters are not shared with other instances.
type MemoryStore struct {
	now func() time.Time

	mu      sync.Mutex
	entries map[string]*memEntry
	ops     int
}

type memEntry struct {
	value   int64
	expires time.Time
}

// NewMemoryStore returns an empty in-memory store reading time from now (time.Now
// when nil).
func NewMemoryStore(now func() time.Time) *MemoryStore {
	if now == nil {
		now = time.Now
	}
	return &MemoryStore{now: now, entries: map[string]*memEntry{}}
}

// Reserve implements [Store].
func (s *MemoryStore) Reserve(_ context.Context, counters []Counter) (int, error) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	for i, c := range counters {
		if s.value(c.Key, now)+c.Add > c.Limit {
			return i, nil
		}
	}
	for _, c := range counters {
		e := s.live(c.Key, now)
		if e == nil {
			e = &memEntry{expires: now.Add(c.TTL)}
			s.entries[c.Key] = e
		}
		e.value += c.Add
	}
	return -1, nil
}

// Adjust implements [Store].
func (s *MemoryStore) Adjust(_ context.Context, counters []Counter) error {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range counters {
		if e := s.live(c.Key, now); e != nil {
			e.value += c.Add
		}
	}
	return nil
}

func (s *MemoryStore) live(key string, now time.Time) *memEntry {
	e, ok := s.entries[key]
	if !ok || !now.Before(e.expires) {
		return nil
	}
	return e
}

func (s *MemoryStore) value(key string, now time.Time) int64 {
	if e := s.live(key, now); e != nil {
		return e.value
	}
	return 0
}

// sweep drops expired entries every so often, so that memory stays bounded by the
// live windows.
func (s *MemoryStore) sweep(now time.Time) {
	s.ops++
	if s.ops < 1024 {
		return
	}
	s.ops = 0
	for k, e := range s.entries {
		if !now.Before(e.expires) {
			delete(s.entries, k)
		}
	}
}
