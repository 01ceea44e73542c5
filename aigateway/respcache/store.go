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

// DefaultStoreTimeout bounds each command of a [RedisStore] unless
// [WithStoreTimeout] says otherwise: a lookup that runs out is a miss, and the
// request goes to the provider as it would have anyway.
const DefaultStoreTimeout = 250 * time.Millisecond

// RedisStore is a [Store] in Redis, shared by every gateway instance.
type RedisStore struct {
	client  redis.Cmdable
	timeout time.Duration
	// bounded says client gives up at the context's deadline by itself; otherwise
	// each command runs on a goroutine of its own, which the store stops waiting for
	// at the deadline.
	bounded bool
}

// A StoreOption configures a [RedisStore].
type StoreOption func(*RedisStore)

// WithStoreTimeout bounds each Get and each Set (one command each) to d (default
// [DefaultStoreTimeout]); d <= 0 is ignored.
func WithStoreTimeout(d time.Duration) StoreOption {
	return func(s *RedisStore) {
		if d > 0 {
			s.timeout = d
		}
	}
}

// NewRedisStore returns a store on client.
//
// Each command is bounded by the store's timeout ([WithStoreTimeout]), or the
// context's deadline if sooner, whatever the client's own timeouts: a Redis that
// stops answering is then a miss or a failed store, not a request held for the
// client's ReadTimeout (5 s by default, or for ever). A go-redis client ignores
// context deadlines on its sockets unless its options set ContextTimeoutEnabled (off
// by default), so a *redis.Client without it is used through its WithTimeout clone
// (same connection pool, socket deadlines of the store's timeout; a shorter context
// deadline is not seen), and with any other client that does not set it (a
// *redis.ClusterClient or *redis.Ring without it, or a Cmdable of your own) each
// command runs on a goroutine of its own, which the store stops waiting for at the
// deadline.
func NewRedisStore(client redis.Cmdable, opts ...StoreOption) *RedisStore {
	s := &RedisStore{client: client, timeout: DefaultStoreTimeout}
	for _, o := range opts {
		o(s)
	}
	switch c := client.(type) {
	case *redis.Client:
		if !c.Options().ContextTimeoutEnabled {
			s.client = c.WithTimeout(s.timeout)
		}
		s.bounded = true
	case *redis.ClusterClient:
		s.bounded = c.Options().ContextTimeoutEnabled
	case *redis.Ring:
		s.bounded = c.Options().ContextTimeoutEnabled
	}
	return s
}

// do runs f, one command through s.client, within the store's timeout, giving up at
// the deadline even if the client would not (see [NewRedisStore]). The caller reads
// what f wrote only when do returned f's own nil error.
func (s *RedisStore) do(ctx context.Context, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if s.bounded {
		return f(ctx)
	}
	done := make(chan error, 1)
	go func() { done <- f(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Get implements [Store].
func (s *RedisStore) Get(ctx context.Context, key string) ([]byte, bool, error) {
	var b []byte
	err := s.do(ctx, func(ctx context.Context) (err error) {
		b, err = s.client.Get(ctx, key).Bytes()
		return err
	})
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
	return s.do(ctx, func(ctx context.Context) error {
		return s.client.Set(ctx, key, value, ttl).Err()
	})
}
