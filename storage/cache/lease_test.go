package cache_test

import (
	"context"
	"errors"
	"testing"

	"github.com/footingdev/footing/storage/cache"
)

// instancePairs runs f with two caches that share one store, as two instances of a
// service do: what one invalidates, the other must not bring back.
func instancePairs(t *testing.T, f func(t *testing.T, a, b *cache.Cache)) {
	t.Helper()
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		c, _ := newMemoryCache(t)
		f(t, c, c)
	})
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		prefix := testPrefix(t)
		a, _, _ := newRedisCache(t, "", prefix, 0)
		b, _, _ := newRedisCache(t, "", prefix, 0)
		f(t, a, b)
	})
	t.Run("redis+local", func(t *testing.T) {
		t.Parallel()
		prefix := testPrefix(t)
		a, ra, _ := newRedisCache(t, "", prefix, 100)
		b, rb, _ := newRedisCache(t, "", prefix, 100)
		waitLive(t, ra)
		waitLive(t, rb)
		f(t, a, b)
	})
	t.Run("cluster", func(t *testing.T) {
		t.Parallel()
		c := clusterClient(t)
		prefix := clusterPrefix(t, c)
		a, _ := newClusterCache(t, c, prefix, 0)
		b, _ := newClusterCache(t, c, prefix, 0)
		f(t, a, b)
	})
}

// TestGetOrLoadDoesNotStoreOverInvalidation: a load reads the old value, a write and
// its invalidation (of the key, of a tag, or a Set of the new value) happen on another instance while the load
// runs, then the load returns. Its callers get what it read, but it must not be stored:
// before, it was, and every reader got the old value until the TTL ran out (flags kept
// a switched-off feature on for 30 s).
func TestGetOrLoadDoesNotStoreOverInvalidation(t *testing.T) {
	t.Parallel()
	instancePairs(t, func(t *testing.T, a, b *cache.Cache) {
		ctx := tenantCtx("tenant-lease")
		for _, tc := range []struct {
			name       string
			invalidate func(key string) error
		}{
			{"delete", func(key string) error { return b.Delete(ctx, key) }},
			{"tag", func(string) error { return b.InvalidateTags(ctx, "row:1") }},
			// Write-through: the writer stores the new value itself.
			{"set", func(key string) error { return b.Set(ctx, key, []byte("new")) }},
		} {
			key := "lease-" + tc.name
			started, release := make(chan struct{}), make(chan struct{})
			type result struct {
				v   []byte
				err error
			}
			done := make(chan result, 1)
			go func() {
				v, err := a.GetOrLoad(ctx, key, func(context.Context) ([]byte, error) {
					close(started)
					<-release
					return []byte("old"), nil
				}, cache.WithTags("row:1"))
				done <- result{v, err}
			}()
			<-started
			if err := tc.invalidate(key); err != nil { // the row changed: invalidate
				t.Fatalf("%s: invalidate: %v", tc.name, err)
			}
			close(release)
			if r := <-done; r.err != nil || string(r.v) != "old" {
				t.Fatalf("%s: the loading caller got %q, %v; want what its load read", tc.name, r.v, r.err)
			}
			for _, c := range []*cache.Cache{a, b} {
				v, err := c.GetOrLoad(ctx, key, func(context.Context) ([]byte, error) { return []byte("new"), nil })
				if err != nil || string(v) != "new" {
					t.Fatalf("%s: after the invalidation GetOrLoad = %q, %v; want the new value (the stale one was stored over it)", tc.name, v, err)
				}
			}
			// A load nobody invalidated is stored as before.
			v, err := b.GetOrLoad(ctx, key, func(context.Context) ([]byte, error) { return nil, errors.New("not cached") })
			if err != nil || string(v) != "new" {
				t.Fatalf("%s: an uncontested load was not stored: %q, %v", tc.name, v, err)
			}
		}
	})
}

// TestClusterUnleasableKeyStillStores: on Redis Cluster a key with a brace cannot
// have its lease in its slot; GetOrLoad stores it without one, as before.
func TestClusterUnleasableKeyStillStores(t *testing.T) {
	t.Parallel()
	c := clusterClient(t)
	cc, _ := newClusterCache(t, c, clusterPrefix(t, c), 0)
	ctx := tenantCtx("t1")
	if _, err := cc.GetOrLoad(ctx, "{brace}", func(context.Context) ([]byte, error) { return []byte("v"), nil }); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := cc.Get(ctx, "{brace}"); err != nil || !ok || string(v) != "v" {
		t.Fatalf("Get = %q %v %v; want the loaded value stored", v, ok, err)
	}
}
