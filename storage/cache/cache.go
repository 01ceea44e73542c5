package cache

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/footingdev/footing/contracts/errs"
)

// Cache is a tenant-namespaced cache over a [Backend]. Every key and tag is qualified
// by the tenant of the Principal in the context, so one tenant can never read another
// tenant's entry; a context without a tenant is refused unless the Cache is the
// explicit [Cache.Global] view.
//
// Reads absorb backend failures: a Get that cannot reach Redis logs, counts
// footing.cache.errors and reports a miss, and GetOrLoad then serves from the loader.
// Invalidations (Delete, InvalidateTags) return backend errors, because a lost
// invalidation leaves stale data.
//
// A Cache is safe for concurrent use.
type Cache struct {
	*core
	ns namespace
}

// core is shared by a Cache and its Global view.
type core struct {
	backend Backend
	cfg     Config
	flight  singleflight.Group
	obs     *observer
}

// New returns a Cache over backend. cfg's Redis and local-tier fields are ignored:
// they configure the backend [Open] builds.
func New(backend Backend, cfg Config) *Cache {
	cfg = cfg.withDefaults()
	c := &core{backend: backend, cfg: cfg, obs: newObserver(cfg)}
	return &Cache{core: c, ns: namespace{prefix: cfg.Prefix}}
}

// Open validates cfg and returns a Cache over Redis when cfg.RedisURL is set, or over
// an in-process [Memory] backend otherwise (and says so in the log).
func Open(cfg Config) (*Cache, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if cfg.RedisURL == "" {
		cfg.Logger.Info("cache: no Redis configured; using the in-process cache (not shared across instances)")
		return New(NewMemory(cfg.MemoryMaxEntries, WithMemoryMaxBytes(cfg.MemoryMaxBytes)), cfg), nil
	}
	r, err := NewRedis(cfg)
	if err != nil {
		return nil, err
	}
	return New(r, cfg), nil
}

// Global returns a view of c in the namespace shared by all tenants. Use it only for
// data that belongs to no tenant; it must be asked for explicitly.
func (c *Cache) Global() *Cache {
	return &Cache{core: c.core, ns: namespace{prefix: c.ns.prefix, global: true}}
}

// Close closes the backend.
func (c *Cache) Close() error { return c.backend.Close() }

// A SetOption configures one store.
type SetOption func(*setOptions)

type setOptions struct {
	ttl  time.Duration
	tags []string
}

// WithTTL sets the time to live of the stored value (before jitter). Zero means
// Config.DefaultTTL, as when WithTTL is not given; a negative ttl (time.Until an expiry
// that has passed) means the value has already expired: it is not stored, and a Set
// with it removes the key's current value.
func WithTTL(d time.Duration) SetOption {
	return func(o *setOptions) { o.ttl = d }
}

// WithTags adds the stored key to each tag, for [Cache.InvalidateTags]. Tags are in
// the same tenant namespace as keys.
func WithTags(tags ...string) SetOption {
	return func(o *setOptions) { o.tags = append(o.tags, tags...) }
}

// Get returns the bytes under key in ctx's namespace and whether they were found.
// Backend failures are absorbed and reported as a miss; the error is only for a
// missing tenant or an empty key. The returned slice may be shared with the
// in-process tier: do not modify it.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	full, err := c.fullKey(ctx, key)
	if err != nil {
		return nil, false, err
	}
	v, ok := c.get(ctx, full)
	return v, ok, nil
}

func (c *core) get(ctx context.Context, full string) ([]byte, bool) {
	l, err := c.backend.Get(ctx, full)
	if err != nil {
		c.obs.request(ctx, l.Tier, resultError)
		c.obs.absorbed(ctx, "get", err)
		return nil, false
	}
	if l.Hit {
		c.obs.request(ctx, l.Tier, resultHit)
		return l.Value, true
	}
	c.obs.request(ctx, l.Tier, resultMiss)
	return nil, false
}

// Set stores value under key in ctx's namespace. A backend failure is logged and
// counted, and not returned: the value will be loaded again.
func (c *Cache) Set(ctx context.Context, key string, value []byte, opts ...SetOption) error {
	full, err := c.fullKey(ctx, key)
	if err != nil {
		return err
	}
	return c.set(ctx, full, value, opts)
}

func (c *Cache) set(ctx context.Context, full string, value []byte, opts []SetOption) error {
	ttl, tags, err := c.storeOptions(ctx, opts)
	if err != nil {
		return err
	}
	if ttl < 0 {
		// Already expired: the write leaves no value, not the one it replaces.
		if err := c.backend.Delete(ctx, full); err != nil {
			c.obs.absorbed(ctx, "set", err)
		}
		return nil
	}
	if err := c.backend.Set(ctx, full, value, ttl, tags); err != nil {
		c.obs.absorbed(ctx, "set", err)
	}
	return nil
}

// storeOptions applies opts: the jittered ttl and the qualified tags of a store. A
// ttl of zero is the default; a negative one (already expired: store nothing) is
// returned as it is. A backend would store a value with ttl <= 0 for ever.
func (c *Cache) storeOptions(ctx context.Context, opts []SetOption) (time.Duration, []string, error) {
	o := setOptions{ttl: c.cfg.DefaultTTL}
	for _, opt := range opts {
		opt(&o)
	}
	if o.ttl == 0 {
		o.ttl = c.cfg.DefaultTTL
	}
	tags := make([]string, len(o.tags))
	for i, t := range o.tags {
		tk, err := c.ns.qualify(ctx, kindTag, t)
		if err != nil {
			return 0, nil, err
		}
		tags[i] = tk
	}
	return c.jitter(o.ttl), tags, nil
}

// jitter shortens ttl by a random fraction up to cfg.Jitter; it never lengthens it.
func (c *core) jitter(ttl time.Duration) time.Duration {
	if c.cfg.Jitter <= 0 || ttl <= 0 {
		return ttl
	}
	cut := time.Duration(rand.Float64() * c.cfg.Jitter * float64(ttl)) //nolint:gosec // jitter needs no cryptographic randomness
	return max(ttl-cut, time.Millisecond)
}

// Delete removes keys from ctx's namespace.
func (c *Cache) Delete(ctx context.Context, keys ...string) error {
	full := make([]string, len(keys))
	for i, k := range keys {
		f, err := c.fullKey(ctx, k)
		if err != nil {
			return err
		}
		full[i] = f
	}
	if err := c.backend.Delete(ctx, full...); err != nil {
		c.obs.errorCount(ctx, "delete")
		return errs.Unavailable("CACHE_UNAVAILABLE", "cache: delete failed", errs.WithDomain(errDomain))
	}
	return nil
}

// InvalidateTags removes every key stored with any of tags in ctx's namespace.
func (c *Cache) InvalidateTags(ctx context.Context, tags ...string) error {
	full := make([]string, len(tags))
	for i, t := range tags {
		tk, err := c.ns.qualify(ctx, kindTag, t)
		if err != nil {
			return err
		}
		full[i] = tk
	}
	if err := c.backend.InvalidateTags(ctx, full...); err != nil {
		c.obs.errorCount(ctx, "invalidate_tags")
		return errs.Unavailable("CACHE_UNAVAILABLE", "cache: tag invalidation failed", errs.WithDomain(errDomain))
	}
	return nil
}

// GetOrLoad returns the bytes under key, or runs load, stores its result and returns
// it. Concurrent calls for one key in one process share a single load, run with the first
// caller's ctx: the tenant is the same for all (it is part of the key), the user may not be
// — a loader that reads as the user needs the user id in the key. The load runs
// with ctx's values but not its cancellation (context.WithoutCancel) and with its own
// LoadTimeout, so one caller giving up does not fail the others; that caller gets
// ctx.Err() at once. A load error is returned and nothing is stored. A panic in load
// becomes an Internal error.
//
// A Set or Delete of key or an InvalidateTags of one of its tags that happens while the
// load runs wins: the loaded value is returned to the callers but not stored, because it may
// have been read before the write that caused the invalidation (through a [Leaser]
// backend; Redis and Memory are).
func (c *Cache) GetOrLoad(ctx context.Context, key string, load func(context.Context) ([]byte, error), opts ...SetOption) ([]byte, error) {
	full, err := c.fullKey(ctx, key)
	if err != nil {
		return nil, err
	}
	if v, ok := c.get(ctx, full); ok {
		return v, nil
	}
	return c.loadMissed(ctx, full, load, opts, nil)
}

// leaseMargin is how long a lease outlives LoadTimeout, for the round trips around the
// load.
const leaseMargin = 5 * time.Second

// loadMissed is GetOrLoad after a miss on the fully qualified key full. A value found
// by the re-check inside the flight is used only if accept (nil: any) takes it.
func (c *Cache) loadMissed(ctx context.Context, full string, load func(context.Context) ([]byte, error), opts []SetOption, accept func([]byte) bool) ([]byte, error) {
	ch := c.flight.DoChan(full, func() (v any, err error) {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.LoadTimeout)
		defer cancel()
		defer func() {
			if r := recover(); r != nil {
				v, err = nil, errs.Internal(fmt.Errorf("cache: loader panicked: %v", r))
				c.obs.load(lctx, err)
			}
		}()
		// A caller that missed just before the previous flight stored its value
		// finds it here instead of loading again.
		// Not counted as a request: the caller's lookup already was.
		if l, err := c.backend.Get(lctx, full); err == nil && l.Hit && (accept == nil || accept(l.Value)) {
			return l.Value, nil
		}
		ttl, tags, err := c.storeOptions(lctx, opts)
		if err != nil {
			return nil, err
		}
		if ttl < 0 { // already expired: nothing to store
			b, err := load(lctx)
			c.obs.load(lctx, err)
			return b, err
		}
		// The lease, taken before the source is read, is revoked by an invalidation
		// of the key or a tag that comes after: what load read may be older than
		// that write, and is then returned but not stored.
		leaser, leasing := c.backend.(Leaser)
		var lease string
		if leasing {
			if lease, err = leaser.Lease(lctx, full, c.cfg.LoadTimeout+leaseMargin, ttl, tags); err != nil {
				c.obs.absorbed(lctx, "lease", err)
			} else if lease == "" {
				leasing = false // this key cannot be leased: store as before
			}
		}
		b, err := load(lctx)
		c.obs.load(lctx, err)
		if err != nil {
			return nil, err
		}
		switch {
		case !leasing:
			if err := c.backend.Set(lctx, full, b, ttl, tags); err != nil {
				c.obs.absorbed(lctx, "set", err)
			}
		case lease != "":
			if _, err := leaser.SetLeased(lctx, full, lease, b, ttl, tags); err != nil {
				c.obs.absorbed(lctx, "set", err)
			}
		}
		return b, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.([]byte), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *Cache) fullKey(ctx context.Context, key string) (string, error) {
	return c.ns.qualify(ctx, kindData, key)
}
