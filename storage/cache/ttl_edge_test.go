package cache_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/footingdev/footing/storage/cache"
)

// shortDefaultBackends runs f over each backend with a DefaultTTL of 2s: short
// enough to wait out, long enough that a Get right after a Set finds the value on a
// loaded machine (with 100ms, a CI run under -race saw it expire in between).
func shortDefaultBackends(t *testing.T, f func(t *testing.T, c *cache.Cache)) {
	t.Helper()
	cfg := cache.Config{DefaultTTL: 2 * time.Second}
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		c := cache.New(cache.NewMemory(100), cfg)
		t.Cleanup(func() { c.Close() })
		f(t, c)
	})
	for _, local := range []int{0, 100} {
		name := "redis"
		if local > 0 {
			name = "redis+local"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := cfg
			cfg.RedisURL, cfg.Prefix, cfg.LocalMaxEntries = redisURL(), testPrefix(t), local
			r, err := cache.NewRedis(cfg)
			if err != nil {
				t.Fatal(err)
			}
			c := cache.New(r, cfg)
			t.Cleanup(func() { c.Close() })
			if local > 0 {
				waitLive(t, r)
			}
			f(t, c)
		})
	}
}

// waitGone polls until key is no longer served, failing after 10s.
func waitGone(t *testing.T, c *cache.Cache, ctx context.Context, key string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, ok, _ := c.Get(ctx, key); !ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still served 10s after it should have expired", key)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WithTTL(0) means the default TTL, as a zero Config.DefaultTTL does: it must not store
// a value that never expires.
func TestZeroTTLIsTheDefault(t *testing.T) {
	t.Parallel()
	shortDefaultBackends(t, func(t *testing.T, c *cache.Cache) {
		ctx := tenantCtx("t1")
		mustSet(t, c, ctx, "set", "v", cache.WithTTL(0))
		if _, ok, _ := c.Get(ctx, "set"); !ok {
			t.Fatal("Set with WithTTL(0) stored nothing")
		}
		waitGone(t, c, ctx, "set")
		if _, err := c.GetOrLoad(ctx, "load", func(context.Context) ([]byte, error) { return []byte("v"), nil }, cache.WithTTL(0)); err != nil {
			t.Fatal(err)
		}
		waitGone(t, c, ctx, "load")
	})
}

// A negative TTL (say time.Until of an expiry that has passed) is a value that has
// already expired: it is not stored, and it replaces (removes) what was there. Redis
// would otherwise store it for ever (SET without EX), or keep the old TTL (-1ns is
// go-redis' KeepTTL).
func TestNegativeTTLStoresNothing(t *testing.T) {
	t.Parallel()
	shortDefaultBackends(t, func(t *testing.T, c *cache.Cache) {
		ctx := tenantCtx("t1")
		for _, ttl := range []time.Duration{-time.Nanosecond, -time.Second} {
			mustSet(t, c, ctx, "k", "old", cache.WithTTL(time.Hour))
			mustSet(t, c, ctx, "k", "expired", cache.WithTTL(ttl))
			if v, ok, _ := c.Get(ctx, "k"); ok {
				t.Fatalf("WithTTL(%v): Get served %q, want a miss", ttl, v)
			}

			var loads atomic.Int32
			load := func(context.Context) ([]byte, error) { loads.Add(1); return []byte("loaded"), nil }
			for range 2 {
				v, err := c.GetOrLoad(ctx, "l", load, cache.WithTTL(ttl))
				if err != nil || string(v) != "loaded" {
					t.Fatalf("GetOrLoad: %q, %v", v, err)
				}
			}
			if n := loads.Swap(0); n != 2 {
				t.Fatalf("WithTTL(%v): loader ran %d times for two calls, want 2 (nothing stored)", ttl, n)
			}
		}
	})
}
