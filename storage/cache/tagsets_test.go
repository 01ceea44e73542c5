package cache_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/footingdev/footing/storage/cache"
)

// tagBackends runs f on a Redis backend over the test Redis and over the test Redis
// Cluster, with the raw client the backend uses, a prefix of its own, and a 200 ms
// RedisTimeout (a tag set keeps a member that long plus a second past its key's ttl).
func tagBackends(t *testing.T, f func(t *testing.T, c redis.UniversalClient, r *cache.Redis, prefix string)) {
	t.Helper()
	cfg := cache.Config{RedisTimeout: 200 * time.Millisecond, Jitter: -1}
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		opts, err := redis.ParseURL(redisURL())
		if err != nil {
			t.Fatal(err)
		}
		c := redis.NewClient(opts)
		t.Cleanup(func() { c.Close() })
		cfg := cfg
		cfg.Prefix = testPrefix(t)
		r, err := cache.NewRedisClient(c, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		f(t, c, r, cfg.Prefix)
	})
	t.Run("cluster", func(t *testing.T) {
		t.Parallel()
		c := clusterClient(t)
		cfg := cfg
		cfg.Prefix = clusterPrefix(t, c)
		r, err := cache.NewRedisClient(c, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		f(t, c, r, cfg.Prefix)
	})
}

// tagMembers counts the keys Redis holds for tag, in whatever structure the backend
// keeps them.
func tagMembers(t *testing.T, c redis.UniversalClient, r *cache.Redis, tag string) int64 {
	t.Helper()
	ctx := t.Context()
	key := cache.TagSetKey(r, tag)
	switch typ := c.Type(ctx, key).Val(); typ {
	case "none":
		return 0
	case "set":
		return c.SCard(ctx, key).Val()
	case "zset":
		return c.ZCard(ctx, key).Val()
	default:
		t.Fatalf("tag set %s is a %s", key, typ)
		return 0
	}
}

// TestTagSetForgetsExpiredMembers: a tag that is never invalidated keeps only the keys
// that are still alive (plus those expired since its last store), and its set expires
// with its longest-lived member. Before, expired keys stayed members for as long as
// the tag kept being used, and a hot tag's set grew without bound.
func TestTagSetForgetsExpiredMembers(t *testing.T) {
	tagBackends(t, func(t *testing.T, c redis.UniversalClient, r *cache.Redis, prefix string) {
		ctx := t.Context()
		tag := prefix + ":x:hot"
		set := func(key string, ttl time.Duration) {
			t.Helper()
			if err := r.Set(ctx, prefix+":d:"+key, []byte("v"), ttl, []string{tag}); err != nil {
				t.Fatalf("Set %s: %v", key, err)
			}
		}

		// Short-lived members only: the set goes when they have.
		for i := range 20 {
			set("short-a"+strconv.Itoa(i), 100*time.Millisecond)
		}
		if n := tagMembers(t, c, r, tag); n != 20 {
			t.Fatalf("tag set holds %d keys, want 20", n)
		}
		if ttl := c.PTTL(ctx, cache.TagSetKey(r, tag)).Val(); ttl <= 0 || ttl > 5*time.Second {
			t.Fatalf("tag set of keys that live 100 ms expires in %v", ttl)
		}
		eventually(t, "the tag set of expired keys expires", func() bool {
			return c.Exists(ctx, cache.TagSetKey(r, tag)).Val() == 0
		})

		// Short-lived members and a long-lived one: stores after the short ones
		// expired drop them from the set, which lives as long as the long one.
		set("long", time.Minute)
		for i := range 20 {
			set("short-b"+strconv.Itoa(i), 100*time.Millisecond)
		}
		eventually(t, "stores drop the expired keys from the tag set", func() bool {
			set("probe", time.Minute)
			return tagMembers(t, c, r, tag) == 2
		})
		if ttl := c.PTTL(ctx, cache.TagSetKey(r, tag)).Val(); ttl < 59*time.Second {
			t.Fatalf("tag set with a key that lives 1 min expires in %v", ttl)
		}

		// A lease tags too; a store with no expiry keeps the set for ever.
		if _, err := r.Lease(ctx, prefix+":d:leased", time.Second, time.Minute, []string{tag}); err != nil {
			t.Fatal(err)
		}
		set("forever", 0)
		if ttl := c.PTTL(ctx, cache.TagSetKey(r, tag)).Val(); ttl != -1 {
			t.Fatalf("tag set with a key that never expires expires in %v", ttl)
		}

		if err := r.InvalidateTags(ctx, tag); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"long", "probe", "forever"} {
			if c.Exists(ctx, prefix+":d:"+k).Val() != 0 {
				t.Fatalf("%s survived InvalidateTags", k)
			}
		}
		if n := tagMembers(t, c, r, tag); n != 0 {
			t.Fatalf("tag set holds %d keys after InvalidateTags", n)
		}
	})
}

// TestInvalidateTagsAfterPruning: through the Cache, keys tagged by Set and by
// GetOrLoad, some of them expired and pruned: InvalidateTags removes every live one,
// and no other tag's.
func TestInvalidateTagsAfterPruning(t *testing.T) {
	tagBackends(t, func(t *testing.T, _ redis.UniversalClient, r *cache.Redis, prefix string) {
		cc := cache.New(r, cache.Config{Prefix: prefix, RedisTimeout: 200 * time.Millisecond, Jitter: -1})
		ctx := tenantCtx("t1")
		for i := range 10 {
			mustSet(t, cc, ctx, fmt.Sprint("short", i), "v", cache.WithTTL(50*time.Millisecond), cache.WithTags("org"))
		}
		var live []string
		for i := range 10 {
			k := fmt.Sprint("set", i)
			mustSet(t, cc, ctx, k, "v", cache.WithTTL(time.Minute), cache.WithTags("org", "t"+strconv.Itoa(i%2)))
			live = append(live, k)
		}
		for i := range 5 {
			k := fmt.Sprint("loaded", i)
			if _, err := cc.GetOrLoad(ctx, k, func(context.Context) ([]byte, error) { return []byte("v"), nil },
				cache.WithTTL(time.Minute), cache.WithTags("org")); err != nil {
				t.Fatal(err)
			}
			live = append(live, k)
		}
		mustSet(t, cc, ctx, "other", "v", cache.WithTTL(time.Minute), cache.WithTags("t1"))
		time.Sleep(1500 * time.Millisecond) // the short keys expire and pass the tag set's margin
		mustSet(t, cc, ctx, "late", "v", cache.WithTTL(time.Minute), cache.WithTags("org"))
		live = append(live, "late")
		for _, k := range live {
			if _, ok, _ := cc.Get(ctx, k); !ok {
				t.Fatalf("%s is not cached", k)
			}
		}

		if err := cc.InvalidateTags(ctx, "org"); err != nil {
			t.Fatal(err)
		}
		for _, k := range live {
			if _, ok, _ := cc.Get(ctx, k); ok {
				t.Fatalf("%s survived InvalidateTags(org)", k)
			}
		}
		if _, ok, _ := cc.Get(ctx, "other"); !ok {
			t.Fatal("a key without the tag was removed")
		}
	})
}

// TestInvalidateTagsReadsOldTagSets: a tag set written by a version that kept tags
// in a Redis set (SADD under the tag's own name) is still invalidated, so a rolling
// deploy loses no invalidation of the keys the old instances tagged.
func TestInvalidateTagsReadsOldTagSets(t *testing.T) {
	tagBackends(t, func(t *testing.T, c redis.UniversalClient, r *cache.Redis, prefix string) {
		ctx := t.Context()
		tag := prefix + ":x:old"
		oldKey, newKey := prefix+":d:old", prefix+":d:new"
		// As the old version stored it (on a cluster: tag set first).
		if err := c.SAdd(ctx, tag, oldKey).Err(); err != nil {
			t.Fatal(err)
		}
		c.Expire(ctx, tag, time.Minute)
		if err := c.Set(ctx, oldKey, "v", time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		if err := r.Set(ctx, newKey, []byte("v"), time.Minute, []string{tag}); err != nil {
			t.Fatal(err)
		}
		if err := r.InvalidateTags(ctx, tag); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{oldKey, newKey} {
			if c.Exists(ctx, k).Val() != 0 {
				t.Fatalf("%s survived InvalidateTags", k)
			}
		}
		if n := c.SCard(ctx, tag).Val(); n != 0 {
			t.Fatalf("the old tag set still holds %d keys", n)
		}
	})
}
