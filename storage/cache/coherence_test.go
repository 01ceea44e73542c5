package cache_test

import (
	"testing"
	"time"

	"github.com/footingdev/footing/storage/cache"
)

// TestLocalTierCoherence runs two instances with in-process tiers over one Redis:
// what one writes, deletes or invalidates by tag, the other stops serving.
func TestLocalTierCoherence(t *testing.T) {
	t.Parallel()
	prefix := testPrefix(t)
	a, ra, _ := newRedisCache(t, "", prefix, 100)
	b, rb, bb := newRedisCache(t, "", prefix, 100)
	waitLive(t, ra)
	waitLive(t, rb)
	ctx := tenantCtx("t1")

	mustSet(t, a, ctx, "k", "v1", cache.WithTags("group"))
	// A's own invalidation message may reach B after B's first read and keep that
	// read out of B's tier; B's reads settle on local hits.
	localHits := map[string]string{"footing.cache.tier": "local", "footing.result": "hit"}
	eventually(t, "B serves k from its in-process tier", func() bool {
		if v, ok, _ := b.Get(ctx, "k"); !ok || string(v) != "v1" {
			t.Fatalf("B read %q %v, want v1", v, ok)
		}
		return bb.counter(t, "footing.cache.requests", localHits) > 0
	})

	mustSet(t, a, ctx, "k", "v2", cache.WithTags("group"))
	eventually(t, "B sees A's overwrite", func() bool {
		v, ok, _ := b.Get(ctx, "k")
		return ok && string(v) == "v2"
	})

	if err := a.InvalidateTags(ctx, "group"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B drops a key A invalidated by tag", func() bool {
		_, ok, _ := b.Get(ctx, "k")
		return !ok
	})

	mustSet(t, a, ctx, "k2", "x")
	if _, ok, _ := b.Get(ctx, "k2"); !ok {
		t.Fatal("B missed k2")
	}
	if err := a.Delete(ctx, "k2"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B drops a key A deleted", func() bool {
		_, ok, _ := b.Get(ctx, "k2")
		return !ok
	})
}

// eventually polls cond until it holds; the bound is generous because invalidation
// travels over pub/sub, asynchronously.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
