package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"

	"github.com/footingdev/footing/contracts/errs"
)

// Timeouts a Redis backend uses unless RedisURL sets them (dial_timeout, read_timeout,
// write_timeout, max_retries): short, because a slow cache is worse than none.
const (
	defaultDialTimeout = time.Second
	defaultIOTimeout   = 500 * time.Millisecond
	defaultMaxRetries  = 1
)

// Redis is a [Backend] on Redis, instrumented with redisotel, with an optional
// bounded in-process tier (Config.LocalMaxEntries, Config.LocalMaxBytes) kept coherent across instances by
// invalidation messages on a pub/sub channel. Every write publishes the keys it
// changed; every instance drops them from its in-process tier. An instance that loses
// its subscription stops using its in-process tier and empties it, and starts again
// only once subscribed, so it never serves an entry whose invalidation it may have
// missed.
type Redis struct {
	client redis.UniversalClient // as given or made: Client, Close and the subscriber use it
	// calls is client, or its WithTimeout clone (same pool): every other command
	// goes through it, in [Redis.do].
	calls   redis.UniversalClient
	bounded bool // calls gives up at the context's deadline by itself
	timeout time.Duration
	cluster bool // client is a *redis.ClusterClient: no MULTI/EXEC across slots
	owned   bool // Close closes client: NewRedis made it
	prefix  string
	channel string
	origin  string
	local   *localTier // nil when the in-process tier is off
	closeCh chan struct{}
}

// NewRedis returns a Redis backend for cfg.RedisURL. It does not contact Redis: an
// unreachable Redis shows up as absorbed errors, not as a failure here. Its client
// honours context deadlines (ContextTimeoutEnabled), so cfg.RedisTimeout and any
// shorter deadline of the caller's context bound each call.
func NewRedis(cfg Config) (*Redis, error) {
	if cfg.RedisURL == "" {
		return nil, errs.InvalidArgument("CACHE_CONFIG", "cache: RedisURL is empty", errs.WithDomain(errDomain))
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	opts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, errors.New("cache: RedisURL is not a valid redis:// or rediss:// URL")
	}
	if opts.DialTimeout == 0 {
		opts.DialTimeout = defaultDialTimeout
	}
	if opts.ReadTimeout == 0 {
		opts.ReadTimeout = defaultIOTimeout
	}
	if opts.WriteTimeout == 0 {
		opts.WriteTimeout = defaultIOTimeout
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = defaultMaxRetries
	}
	opts.ContextTimeoutEnabled = true
	client := redis.NewClient(opts)
	r := newRedis(client, cfg)
	r.owned = true
	tracing := []redisotel.TracingOption{
		// Statements carry cached values, which may be secrets: never put them on spans.
		redisotel.WithDBStatement(false),
		// Caller lookup costs a stack walk per command and names only this package.
		redisotel.WithCallerEnabled(false),
	}
	var metrics []redisotel.MetricsOption
	if cfg.TracerProvider != nil {
		tracing = append(tracing, redisotel.WithTracerProvider(cfg.TracerProvider))
	}
	if cfg.MeterProvider != nil {
		metrics = append(metrics, redisotel.WithMeterProvider(cfg.MeterProvider))
	}
	metrics = append(metrics, redisotel.WithCloseChan(r.closeCh))
	if err := redisotel.InstrumentTracing(client, tracing...); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("cache: redis tracing: %w", err)
	}
	if err := redisotel.InstrumentMetrics(client, metrics...); err != nil {
		close(r.closeCh)
		_ = client.Close()
		return nil, fmt.Errorf("cache: redis metrics: %w", err)
	}
	r.startLocal(cfg)
	return r, nil
}

// NewRedisClient returns a Redis backend on client, which may be a *redis.Client or a
// *redis.ClusterClient (Redis Cluster: see the package documentation for what stays
// atomic there). cfg.RedisURL is ignored. It does not contact Redis, and does not
// instrument client: add redisotel to it if wanted. [Redis.Close] stops the
// invalidation subscriber but leaves client open; it is the caller's to close.
//
// A go-redis client ignores context deadlines on its sockets unless its options set
// ContextTimeoutEnabled (off by default), and would wait its own ReadTimeout (5 s by
// default, or for ever) for a Redis that stopped answering. So that cfg.RedisTimeout
// bounds every call, a *redis.Client without ContextTimeoutEnabled is used through
// its WithTimeout(RedisTimeout) clone (same connection pool, socket deadlines of
// RedisTimeout; a shorter deadline of the caller's context is not seen), and with any
// other client that does not set ContextTimeoutEnabled (a *redis.ClusterClient or
// *redis.Ring without it) each call runs on a goroutine of its own, which the cache
// stops waiting for at the deadline.
func NewRedisClient(client redis.UniversalClient, cfg Config) (*Redis, error) {
	if client == nil {
		return nil, errs.InvalidArgument("CACHE_CONFIG", "cache: NewRedisClient: client is nil", errs.WithDomain(errDomain))
	}
	if err := cfg.validate(true); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	r := newRedis(client, cfg)
	r.startLocal(cfg)
	return r, nil
}

func newRedis(client redis.UniversalClient, cfg Config) *Redis {
	_, cluster := client.(*redis.ClusterClient)
	calls, bounded := client, false
	switch c := client.(type) {
	case *redis.Client:
		if !c.Options().ContextTimeoutEnabled {
			calls = c.WithTimeout(cfg.RedisTimeout)
		}
		bounded = true
	case *redis.ClusterClient:
		bounded = c.Options().ContextTimeoutEnabled
	case *redis.Ring:
		bounded = c.Options().ContextTimeoutEnabled
	}
	return &Redis{
		client:  client,
		calls:   calls,
		bounded: bounded,
		timeout: cfg.RedisTimeout,
		cluster: cluster,
		prefix:  cfg.Prefix,
		channel: cfg.Prefix + ":invalidate",
		origin:  newOrigin(),
		closeCh: make(chan struct{}),
	}
}

func (r *Redis) startLocal(cfg Config) {
	if cfg.LocalMaxEntries > 0 {
		r.local = newLocalTier(cfg.LocalMaxEntries, cfg.LocalMaxBytes, cfg.LocalTTL, r.origin, cfg.Logger)
		go r.local.run(r.client, r.channel)
	}
}

// Client returns the underlying go-redis client, for health checks.
func (r *Redis) Client() redis.UniversalClient { return r.client }

// do runs f, the Redis commands of one backend call (through r.calls), with ctx
// bounded by RedisTimeout, and returns by that deadline even if the client would not
// (see [NewRedisClient]): f then runs on a goroutine of its own, and the caller must
// read what f wrote only when do returned f's own nil error.
func (r *Redis) do(ctx context.Context, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if r.bounded {
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

// Get implements [Backend]. With the in-process tier on and coherent, a hit there
// answers without a round trip; a Redis hit fills it.
func (r *Redis) Get(ctx context.Context, key string) (Lookup, error) {
	if r.local == nil || !r.local.coherent() {
		var v []byte
		err := r.do(ctx, func(ctx context.Context) (err error) {
			v, err = r.calls.Get(ctx, key).Bytes()
			return err
		})
		if err != nil {
			return redisLookup(nil, err) // v may still be written: see do
		}
		return redisLookup(v, nil)
	}
	if v, ok := r.local.get(key); ok {
		return Lookup{Value: v, Hit: true, Tier: TierLocal}, nil
	}
	epoch := r.local.epoch()
	var get *redis.StringCmd
	var ttl *redis.DurationCmd
	err := r.do(ctx, func(ctx context.Context) error {
		_, err := r.calls.Pipelined(ctx, func(p redis.Pipeliner) error {
			get = p.Get(ctx, key)
			ttl = p.PTTL(ctx, key)
			return nil
		})
		return err
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return Lookup{Tier: TierRedis}, err
	}
	v, err := get.Bytes()
	l, err := redisLookup(v, err)
	if err == nil && l.Hit {
		r.local.fill(key, v, ttl.Val(), epoch)
	}
	return l, err
}

func redisLookup(v []byte, err error) (Lookup, error) {
	switch {
	case errors.Is(err, redis.Nil):
		return Lookup{Tier: TierRedis}, nil
	case err != nil:
		return Lookup{Tier: TierRedis}, err
	}
	return Lookup{Value: v, Hit: true, Tier: TierRedis}, nil
}

// Set implements [Backend]: in one MULTI/EXEC it stores the value, adds the key to
// each tag set ([Redis.tagSetKey]: expired members pruned, expiry raised to cover the
// value), and publishes the key's invalidation. On Redis Cluster, where the tag sets
// live in other slots, it first updates the tag sets, then stores the value and
// publishes in one MULTI/EXEC on the key's slot: a value is never stored without its
// tags.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration, tags []string) error {
	err := r.do(ctx, func(ctx context.Context) error {
		if r.cluster && len(tags) > 0 {
			if _, err := r.calls.Pipelined(ctx, func(p redis.Pipeliner) error {
				r.tag(ctx, p, key, ttl, tags)
				return nil
			}); err != nil {
				return err
			}
			tags = nil // done
		}
		_, err := r.calls.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, key, value, ttl)
			// A load in flight must not overwrite this newer value (its lease is in
			// the key's slot).
			if lk, ok := r.leaseKey(key); ok {
				p.Unlink(ctx, lk)
			}
			r.tag(ctx, p, key, ttl, tags)
			p.Publish(ctx, r.channel, encodeInvalidation(r.origin, []string{key}))
			return nil
		})
		return err
	})
	r.dropLocal(key)
	return err
}

// tagSetKey names tag's set of keys: a sorted set of the keys stored with the tag,
// each scored by the time (unix ms, on the Redis clock) after which it has certainly
// expired, +inf for a key stored without expiry. Every store with the tag first
// removes the members whose time has passed, so a tag that is never invalidated holds
// its live keys and those expired since its last store, not every key it ever had; and
// the set expires with its longest-lived member. It is not the tag's own name, under
// which versions before it kept a plain set (SADD) that never shed expired members:
// [Redis.InvalidateTags] still reads that set, and it expires by itself once no
// instance of those versions writes it (see the storage README on upgrading).
func (r *Redis) tagSetKey(tag string) string { return r.prefix + ":z:" + tag }

// tagKey adds ARGV[1] to the tag set KEYS[1] (see [Redis.tagSetKey]) to live ARGV[2] ms
// from now on the Redis clock (0: for ever), after removing the members whose time has
// passed, and sets the set to expire with its longest-lived member (never, with one
// stored for ever). ZADD GT keeps the latest time any store gave the key: a store
// that shortened a key's ttl may race one that lengthened it (on a cluster the tag set
// is written before the value), so the longer one stands. One key, so the script runs
// on the tag set's slot; Redis' own clock (TIME), so an instance's clock skew cannot
// prune a live key.
var tagKey = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)
local ms = tonumber(ARGV[2])
if ms > 0 then
	redis.call('ZADD', KEYS[1], 'GT', now + ms, ARGV[1])
else
	redis.call('ZADD', KEYS[1], 'GT', '+inf', ARGV[1])
end
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] == 'inf' then
	redis.call('PERSIST', KEYS[1])
else
	redis.call('PEXPIREAT', KEYS[1], last[2])
end
return 1`)

// tag adds key, to live ttl (<= 0: for ever), to each tag's set, one script per tag
// (one slot each), queued on p. A member is kept RedisTimeout + 1s past ttl: on a
// cluster the value is stored after its tag sets, within RedisTimeout, on a node whose
// clock may differ a little, and its key must not leave the set before it expires.
func (r *Redis) tag(ctx context.Context, p redis.Pipeliner, key string, ttl time.Duration, tags []string) {
	var ms int64
	if ttl > 0 {
		ms = (ttl + r.timeout + time.Second).Milliseconds()
	}
	for _, t := range tags {
		// EVAL, not EVALSHA: a script missing from the server's cache (a restart, a
		// failover) would fail inside MULTI/EXEC after the value was stored.
		tagKey.Eval(ctx, p, []string{r.tagSetKey(t)}, key, ms)
	}
}

// Delete implements [Backend]: in one MULTI/EXEC it unlinks the keys and publishes
// their invalidation. On Redis Cluster, where the keys may live in different slots, it
// unlinks each key on its own (one pipeline, not atomic across keys), then publishes,
// so that no instance reads a key back from Redis after the invalidation reached it.
func (r *Redis) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	err := r.do(ctx, func(ctx context.Context) error {
		if r.cluster {
			_, err := r.calls.Pipelined(ctx, func(p redis.Pipeliner) error {
				for _, k := range keys {
					p.Unlink(ctx, k)
					if lk, ok := r.leaseKey(k); ok {
						p.Unlink(ctx, lk)
					}
				}
				return nil
			})
			// Publish even after a failure: some of the keys may be gone.
			return errors.Join(err, r.calls.Publish(ctx, r.channel, encodeInvalidation(r.origin, keys)).Err())
		}
		_, err := r.calls.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Unlink(ctx, keys...)
			r.unlinkLeases(ctx, p, keys)
			p.Publish(ctx, r.channel, encodeInvalidation(r.origin, keys))
			return nil
		})
		return err
	})
	r.dropLocal(keys...)
	return err
}

// InvalidateTags implements [Backend]. It reads each tag set (ZRANGE of
// [Redis.tagSetKey], and SMEMBERS of the set older versions kept under the tag's own
// name; never KEYS), then unlinks the members, removes them from the sets and publishes
// their invalidation, in one MULTI/EXEC. A key added to a tag after the read survives:
// it was written after the invalidation began. On Redis Cluster, where members and tag
// sets live in different slots, it unlinks the members (one pipeline, not atomic), and
// only then removes them from the sets and publishes, so a failure leaves every
// surviving key still in its tag sets.
func (r *Redis) InvalidateTags(ctx context.Context, tags ...string) error {
	if len(tags) == 0 {
		return nil
	}
	return r.do(ctx, func(ctx context.Context) error {
		return r.invalidateTags(ctx, tags)
	})
}

// invalidateTags is InvalidateTags inside [Redis.do]. It drops the members from the
// in-process tier itself: the caller may have stopped waiting for it.
func (r *Redis) invalidateTags(ctx context.Context, tags []string) error {
	sorted := make([]*redis.StringSliceCmd, len(tags))
	old := make([]*redis.StringSliceCmd, len(tags))
	if _, err := r.calls.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, t := range tags {
			sorted[i] = p.ZRange(ctx, r.tagSetKey(t), 0, -1)
			old[i] = p.SMembers(ctx, t)
		}
		return nil
	}); err != nil {
		return err
	}
	var all []string
	seen := make(map[string]bool)
	for i := range tags {
		for _, k := range append(sorted[i].Val(), old[i].Val()...) {
			if !seen[k] {
				seen[k] = true
				all = append(all, k)
			}
		}
	}
	if len(all) == 0 {
		return nil
	}
	unlink := func(p redis.Pipeliner) {
		for _, k := range all {
			// One command per key keeps each command in one hash slot.
			p.Unlink(ctx, k)
		}
		// A load in flight for a member must not store what it read before this.
		r.unlinkLeases(ctx, p, all)
	}
	forget := func(p redis.Pipeliner) {
		for i, t := range tags {
			if keys := sorted[i].Val(); len(keys) > 0 {
				p.ZRem(ctx, r.tagSetKey(t), stringsToAny(keys)...)
			}
			if keys := old[i].Val(); len(keys) > 0 {
				p.SRem(ctx, t, stringsToAny(keys)...)
			}
		}
		p.Publish(ctx, r.channel, encodeInvalidation(r.origin, all))
	}
	var err error
	if r.cluster {
		_, err = r.calls.Pipelined(ctx, func(p redis.Pipeliner) error {
			unlink(p)
			return nil
		})
		if err == nil {
			_, err = r.calls.Pipelined(ctx, func(p redis.Pipeliner) error {
				forget(p)
				return nil
			})
		} else {
			// Some members may be gone: tell the other instances.
			err = errors.Join(err, r.calls.Publish(ctx, r.channel, encodeInvalidation(r.origin, all)).Err())
		}
	} else {
		_, err = r.calls.TxPipelined(ctx, func(p redis.Pipeliner) error {
			unlink(p)
			forget(p)
			return nil
		})
	}
	r.dropLocal(all...)
	return err
}

// leaseKey names the key that holds key's lease ([Leaser]). On Redis Cluster it must
// lie in key's slot, so that SetLeased's script can read one and write the other: the
// hash tag {key} puts it there when neither key nor the prefix holds a brace (which
// would make Redis hash another part of the name); such a key is not leased.
func (r *Redis) leaseKey(key string) (string, bool) {
	if r.cluster && strings.ContainsAny(r.prefix+key, "{}") {
		return "", false
	}
	return r.prefix + ":l:{" + key + "}", true
}

// unlinkLeases unlinks the leases of keys, one command per key (one slot each).
func (r *Redis) unlinkLeases(ctx context.Context, p redis.Pipeliner, keys []string) {
	for _, k := range keys {
		if lk, ok := r.leaseKey(k); ok {
			p.Unlink(ctx, lk)
		}
	}
}

// Lease implements [Leaser]: it adds key to the tag sets, then sets key's lease key to
// a random id for hold. On one Redis both go in one MULTI/EXEC; on Redis Cluster the
// tag sets (in other slots) are updated first. Either way both are in place before the
// loader starts, so an invalidation that begins after the loader read the source
// revokes the lease.
func (r *Redis) Lease(ctx context.Context, key string, hold, ttl time.Duration, tags []string) (string, error) {
	lk, ok := r.leaseKey(key)
	if !ok {
		return "", nil
	}
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	id := hex.EncodeToString(b[:])
	// The value's ttl runs from the store, up to hold after this.
	life := ttl + hold
	if ttl <= 0 {
		life = 0 // stored for ever
	}
	err := r.do(ctx, func(ctx context.Context) error {
		if r.cluster {
			if len(tags) > 0 {
				if _, err := r.calls.Pipelined(ctx, func(p redis.Pipeliner) error {
					r.tag(ctx, p, key, life, tags)
					return nil
				}); err != nil {
					return err
				}
			}
			return r.calls.Set(ctx, lk, id, hold).Err()
		}
		_, err := r.calls.TxPipelined(ctx, func(p redis.Pipeliner) error {
			r.tag(ctx, p, key, life, tags)
			p.Set(ctx, lk, id, hold)
			return nil
		})
		return err
	})
	return id, err
}

// setLeased stores ARGV[2] under KEYS[1] for ARGV[3] ms (0: no expiry) and publishes
// ARGV[5] on channel ARGV[4], only if KEYS[2], the lease, still holds ARGV[1]; it ends
// the lease either way it stores.
var setLeased = redis.NewScript(`
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
if tonumber(ARGV[3]) > 0 then
	redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
else
	redis.call('SET', KEYS[1], ARGV[2])
end
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1`)

// SetLeased implements [Leaser]: one script on the key's slot checks the lease, stores
// the value and publishes its invalidation. The tag sets were updated by Lease.
func (r *Redis) SetLeased(ctx context.Context, key, lease string, value []byte, ttl time.Duration, _ []string) (bool, error) {
	lk, ok := r.leaseKey(key)
	if !ok || lease == "" {
		return false, nil
	}
	ms := ttl.Milliseconds()
	if ttl > 0 && ms == 0 {
		ms = 1
	}
	var n int
	err := r.do(ctx, func(ctx context.Context) (err error) {
		n, err = setLeased.Run(ctx, r.calls, []string{key, lk},
			lease, value, ms, r.channel, encodeInvalidation(r.origin, []string{key})).Int()
		return err
	})
	r.dropLocal(key)
	return err == nil && n == 1, err
}

func (r *Redis) dropLocal(keys ...string) {
	if r.local != nil {
		r.local.invalidate(keys)
	}
}

// Close stops the invalidation subscriber and closes the client if [NewRedis] made
// it.
func (r *Redis) Close() error {
	if r.local != nil {
		r.local.stop()
	}
	close(r.closeCh)
	if !r.owned {
		return nil
	}
	return r.client.Close()
}

func stringsToAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
