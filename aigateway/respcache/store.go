package respcache

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// MemoryStore is a [Store] in the process's memory holding at most a fixed number of
// answers.
type MemoryStore struct {
	now func() time.Time
	max int

	mu      sync.Mutex
	entries map[string]memEntry
}

type memEntry struct {
	value   []byte
	expires time.Time
}

// NewMemoryStore returns a store of at most maxEntries answers (default 10,000),
// reading time from now (time.Now when nil). When full, expired entries are dropped
// first, then arbitrary ones.
func NewMemoryStore(maxEntries int, now func() time.Time) *MemoryStore {
	if maxEntries <= 0 {
		maxEntries = 10_000
	}
	if now == nil {
		now = time.Now
	}
	return &MemoryStore{now: now, max: maxEntries, entries: map[string]memEntry{}}
}

// Get implements [Store].
func (s *MemoryStore) Get(_ context.Context, key string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[key]
	if !ok || !s.now().Before(e.expires) {
		return nil, false, nil
	}
	return e.value, true, nil
}

// Set implements [Store].
func (s *MemoryStore) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.entries) >= s.max {
		for k, e := range s.entries {
			if !now.Before(e.expires) {
				delete(s.entries, k)
			}
		}
		for k := range s.entries {
			if len(s.entries) < s.max {
				break
			}
			delete(s.entries, k)
		}
	}
	s.entries[key] = memEntry{value: value, expires: now.Add(ttl)}
	return nil
}

// RedisStore is a [Store] in Redis, shared by every gateway instance.
type RedisStore struct {
	client redis.Cmdable
}

// NewRedisStore returns a store on client.
func NewRedisStore(client redis.Cmdable) *RedisStore { return &RedisStore{client: client} }

// Get implements [Store].
func (s *RedisStore) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := s.client.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// Set implements [Store].
func (s *RedisStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.client.Set(ctx, key, value, ttl).Err()
}
