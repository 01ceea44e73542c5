package quota

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/footingdev/footing/contracts/errs"
)

// reserveScript checks every counter, then adds to all of them, in one atomic step.
// KEYS are the counters; ARGV holds limit, add and TTL in milliseconds for each.
var reserveScript = redis.NewScript(`
for i = 1, #KEYS do
  local cur = tonumber(redis.call('GET', KEYS[i]) or '0')
  if cur + tonumber(ARGV[3*i-1]) > tonumber(ARGV[3*i-2]) then
    return i
  end
end
for i = 1, #KEYS do
  redis.call('INCRBY', KEYS[i], ARGV[3*i-1])
  redis.call('PEXPIRE', KEYS[i], ARGV[3*i], 'NX')
end
return 0
`)

// adjustScript adds ARGV[i] to KEYS[i] where the key still exists.
var adjustScript = redis.NewScript(`
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('INCRBY', KEYS[i], ARGV[i])
  end
end
return 0
`)

// DefaultStoreTimeout bounds each script of a [RedisStore] unless [WithStoreTimeout]
// says otherwise: a Reserve that runs out fails its request (Unavailable), so it is
// long enough not to cut a Redis that is merely slow.
const DefaultStoreTimeout = time.Second

// RedisStore is a [Store] in Redis, shared by every gateway instance that uses the
// same Redis and key prefix. Keys of one reservation share the tenant's hash tag, so
// the scripts also run on Redis Cluster.
type RedisStore struct {
	client  redis.Scripter
	timeout time.Duration
	// bounded says client gives up at the context's deadline by itself; otherwise
	// each script runs on a goroutine of its own, which the store stops waiting for
	// at the deadline.
	bounded bool
}

// A StoreOption configures a [RedisStore].
type StoreOption func(*RedisStore)

// WithStoreTimeout bounds each Reserve and each Adjust (one script each) to d
// (default [DefaultStoreTimeout]); d <= 0 is ignored.
func WithStoreTimeout(d time.Duration) StoreOption {
	return func(s *RedisStore) {
		if d > 0 {
			s.timeout = d
		}
	}
}

// NewRedisStore returns a store on client (a *redis.Client, *redis.ClusterClient or
// any redis.Scripter).
//
// Each script is bounded by the store's timeout ([WithStoreTimeout]), or the
// context's deadline if sooner, whatever the client's own timeouts: a Redis that
// stops answering is then an Unavailable error, not a request held for the client's
// ReadTimeout (5 s by default, or for ever). A go-redis client ignores context
// deadlines on its sockets unless its options set ContextTimeoutEnabled (off by
// default), so a *redis.Client without it is used through its WithTimeout clone
// (same connection pool, socket deadlines of the store's timeout; a shorter context
// deadline is not seen), and with any other client that does not set it (a
// *redis.ClusterClient or *redis.Ring without it, or a Scripter of your own) each
// script runs on a goroutine of its own, which the store stops waiting for at the
// deadline (a reservation it stopped waiting for is given back once its reply
// arrives). The caller's cancellation stops no script: a Reserve waits for its
// reply, so that the reservation it took is settled.
func NewRedisStore(client redis.Scripter, opts ...StoreOption) *RedisStore {
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

// run runs script on keys and args within the store's timeout or ctx's deadline,
// giving up at the deadline even if the client would not (see [NewRedisStore]).
// ctx's cancellation does not stop it: a script sent to Redis runs there, and a
// caller that hung up must still learn what it did (a reservation is settled, not
// left taken). When the store gives up at the deadline before the reply of a script
// run on a goroutine, abandoned (if not nil) gets the reply's value once it arrives.
func (s *RedisStore) run(ctx context.Context, script *redis.Script, keys []string, args []any, abandoned func(int)) (int, error) {
	deadline, ok := ctx.Deadline()
	ctx = context.WithoutCancel(ctx)
	if !ok || time.Until(deadline) > s.timeout {
		deadline = time.Now().Add(s.timeout)
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	if s.bounded {
		return script.Run(ctx, s.client, keys, args...).Int()
	}
	type reply struct {
		n   int
		err error
	}
	ch := make(chan reply, 1)
	go func() {
		n, err := script.Run(ctx, s.client, keys, args...).Int()
		ch <- reply{n, err}
	}()
	select {
	case r := <-ch:
		return r.n, r.err
	case <-ctx.Done():
		if abandoned != nil {
			go func() {
				if r := <-ch; r.err == nil {
					abandoned(r.n)
				}
			}()
		}
		return 0, ctx.Err()
	}
}

// Reserve implements [Store].
func (s *RedisStore) Reserve(ctx context.Context, counters []Counter) (int, error) {
	keys := make([]string, len(counters))
	args := make([]any, 0, 3*len(counters))
	for i, c := range counters {
		keys[i] = c.Key
		args = append(args, c.Limit, c.Add, max(c.TTL.Milliseconds(), 1))
	}
	// A reservation the store stopped waiting for is the caller's error, and nobody
	// settles it: once its reply says it was taken, it is given back.
	undo := func(n int) {
		if n != 0 {
			return // refused: nothing was taken
		}
		back := make([]any, len(counters))
		for i, c := range counters {
			back[i] = strconv.FormatInt(-c.Add, 10)
		}
		_, _ = s.run(context.Background(), adjustScript, keys, back, nil)
	}
	n, err := s.run(ctx, reserveScript, keys, args, undo)
	if err != nil {
		return 0, errs.Unavailable("QUOTA_STORE_UNAVAILABLE", "the quota store is unavailable", errs.WithCause(err))
	}
	return n - 1, nil
}

// Adjust implements [Store].
func (s *RedisStore) Adjust(ctx context.Context, counters []Counter) error {
	keys := make([]string, len(counters))
	args := make([]any, len(counters))
	for i, c := range counters {
		keys[i] = c.Key
		args[i] = strconv.FormatInt(c.Add, 10)
	}
	if _, err := s.run(ctx, adjustScript, keys, args, nil); err != nil {
		return errs.Unavailable("QUOTA_STORE_UNAVAILABLE", "the quota store is unavailable", errs.WithCause(err))
	}
	return nil
}
