package cache_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/footingdev/footing/storage/cache"
)

// TestRedisDownServesFromSource cuts a TCP proxy between the client and Redis in the
// middle of the test: callers keep getting values, from the loader, with no error,
// and the failure is logged (without the value) and counted.
func TestRedisDownServesFromSource(t *testing.T) {
	t.Parallel()
	opts, err := redis.ParseURL(redisURL())
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, opts.Addr)
	u := strings.Replace(redisURL(), opts.Addr, p.addr(), 1)
	{
		c, _, b := newRedisCache(t, u, testPrefix(t), 0)
		ctx := tenantCtx("t1")
		var loads atomic.Int64
		load := func(context.Context) ([]byte, error) {
			loads.Add(1)
			return []byte("value-from-source"), nil
		}
		for range 3 {
			if v, err := c.GetOrLoad(ctx, "k", load); err != nil || string(v) != "value-from-source" {
				t.Fatalf("before the cut: %q %v", v, err)
			}
		}
		if got := loads.Load(); got != 1 {
			t.Fatalf("before the cut: %d loads, want 1 (then cache hits)", got)
		}
		p.cut()
		for i := range 5 {
			v, err := c.GetOrLoad(ctx, "k", load)
			if err != nil || string(v) != "value-from-source" {
				t.Fatalf("after the cut, call %d: %q %v", i, v, err)
			}
		}
		if got := loads.Load(); got != 6 {
			t.Fatalf("after the cut: %d loads, want 6 (each call served from source)", got)
		}
		if got := b.counter(t, "footing.cache.errors", nil); got < 5 {
			t.Fatalf("footing.cache.errors = %d, want at least 5", got)
		}
		if got := b.counter(t, "footing.cache.requests", map[string]string{"footing.result": "error"}); got != 5 {
			t.Fatalf("requests with result=error = %d, want 5", got)
		}
		logs := b.logs.String()
		if !strings.Contains(logs, "backend unavailable") {
			t.Fatalf("failure not logged: %q", logs)
		}
		if strings.Contains(logs, "value-from-source") {
			t.Fatalf("log carries the cached value: %q", logs)
		}
		// Invalidation failures are not hidden: a lost invalidation means stale data.
		if err := c.Delete(ctx, "k"); err == nil {
			t.Fatal("Delete with Redis down returned no error")
		}
	}
}

// TestLocalTierRedisDown: an instance whose subscription dies stops serving from its
// in-process tier (it may have missed invalidations) and serves from the source.
func TestLocalTierRedisDown(t *testing.T) {
	t.Parallel()
	opts, err := redis.ParseURL(redisURL())
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, opts.Addr)
	u := strings.Replace(redisURL(), opts.Addr, p.addr(), 1)
	c, r, _ := newRedisCache(t, u, testPrefix(t), 100)
	waitLive(t, r)
	ctx := tenantCtx("t1")
	var loads atomic.Int64
	load := func(context.Context) ([]byte, error) { loads.Add(1); return []byte("v"), nil }
	for range 3 {
		if _, err := c.GetOrLoad(ctx, "k", load); err != nil {
			t.Fatal(err)
		}
	}
	p.cut()
	deadline := time.Now().Add(15 * time.Second)
	for cache.LocalLive(r) {
		if time.Now().After(deadline) {
			t.Fatal("in-process tier still live 15s after Redis became unreachable")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := cache.LocalLen(r); n != 0 {
		t.Fatalf("in-process tier kept %d entries after losing its subscription", n)
	}
	before := loads.Load()
	if v, err := c.GetOrLoad(ctx, "k", load); err != nil || string(v) != "v" {
		t.Fatalf("with Redis down: %q %v", v, err)
	}
	if loads.Load() != before+1 {
		t.Fatal("with Redis down the value did not come from the source")
	}
}
