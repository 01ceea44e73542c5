package cache_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/footingdev/footing/storage/cache"
)

// clusterClient returns a client on the Redis Cluster of TEST_REDIS_CLUSTER_ADDRS
// (make services starts one). Unset, the test fails: the cluster is part of the
// test environment, like TEST_REDIS_URL.
func clusterClient(t *testing.T) *redis.ClusterClient {
	t.Helper()
	addrs := os.Getenv("TEST_REDIS_CLUSTER_ADDRS")
	if addrs == "" {
		t.Fatal("TEST_REDIS_CLUSTER_ADDRS is not set: run `make services` (it starts a local Redis Cluster) and load .services/env")
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(addrs, ",")})
	t.Cleanup(func() { c.Close() })
	if err := c.ForEachShard(t.Context(), func(ctx context.Context, n *redis.Client) error {
		return n.Ping(ctx).Err()
	}); err != nil {
		t.Fatalf("Redis Cluster at %s: %v", addrs, err)
	}
	return c
}

// clusterPrefix is testPrefix on the cluster: its keys are removed from every master
// when t ends.
func clusterPrefix(t *testing.T, c *redis.ClusterClient) string {
	t.Helper()
	prefix := testPrefix(t)
	t.Cleanup(func() {
		_ = c.ForEachMaster(context.Background(), func(ctx context.Context, n *redis.Client) error {
			iter := n.Scan(ctx, 0, prefix+":*", 500).Iterator()
			for iter.Next(ctx) {
				n.Unlink(ctx, iter.Val())
			}
			return iter.Err()
		})
	})
	return prefix
}

// newClusterCache returns a Cache on a Redis backend over c. Its in-process entries
// outlive any test, so only an invalidation can drop them.
func newClusterCache(t *testing.T, c *redis.ClusterClient, prefix string, localEntries int) (*cache.Cache, *cache.Redis) {
	t.Helper()
	cfg := cache.Config{Prefix: prefix, LocalMaxEntries: localEntries, LocalTTL: time.Hour, Jitter: -1}
	r, err := cache.NewRedisClient(c, cfg)
	if err != nil {
		t.Fatalf("NewRedisClient: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return cache.New(r, cfg), r
}

// masters returns the number of distinct masters that own keys.
func masters(t *testing.T, c *redis.ClusterClient, keys ...string) int {
	t.Helper()
	ctx := t.Context()
	shards, err := c.ClusterShards(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	owners := map[int]bool{}
	for _, k := range keys {
		slot := c.ClusterKeySlot(ctx, k).Val()
		for i, sh := range shards {
			for _, r := range sh.Slots {
				if slot >= r.Start && slot <= r.End {
					owners[i] = true
				}
			}
		}
	}
	return len(owners)
}

// TestClusterBackend drives the Redis backend on a Redis Cluster with keys and tag
// sets spread over the masters: every write must succeed (Cache.Set absorbs errors,
// so the backend is called directly) and be visible through the cluster client.
func TestClusterBackend(t *testing.T) {
	t.Parallel()
	c := clusterClient(t)
	prefix := clusterPrefix(t, c)
	_, r := newClusterCache(t, c, prefix, 0)
	ctx := t.Context()

	// Names whose keys, and whose first key with the tag sets, lie on several masters:
	// the prefix is random, so try suffixes until both hold (four names land on one
	// master in 1 run of 27, which made a fixed choice flaky).
	var keys, tags []string
	for try := 0; ; try++ {
		s := strconv.Itoa(try)
		keys = []string{prefix + ":d:a" + s, prefix + ":d:b" + s, prefix + ":d:c" + s, prefix + ":d:d" + s, prefix + ":d:e" + s, prefix + ":d:f" + s}
		tags = []string{prefix + ":x:red" + s, prefix + ":x:green" + s, prefix + ":x:blue" + s}
		sets := []string{keys[0]}
		for _, tag := range tags {
			sets = append(sets, cache.TagSetKey(r, tag))
		}
		if masters(t, c, keys...) >= 2 && masters(t, c, sets...) >= 2 {
			break
		}
		if try == 100 {
			t.Fatal("no names spread over several masters in 100 tries: is the cluster down to one master?")
		}
	}

	for i, k := range keys {
		if err := r.Set(ctx, k, []byte("v"+k), time.Minute, tags[:1+i%len(tags)]); err != nil {
			t.Fatalf("Set %s with tags %v: %v", k, tags[:1+i%len(tags)], err)
		}
	}
	for i, k := range keys {
		l, err := r.Get(ctx, k)
		if err != nil || !l.Hit || string(l.Value) != "v"+k {
			t.Fatalf("Get %s = %q %v %v, want hit v%s", k, l.Value, l.Hit, err, k)
		}
		for _, tag := range tags[:1+i%len(tags)] {
			if _, err := c.ZScore(ctx, cache.TagSetKey(r, tag), k).Result(); err != nil {
				t.Fatalf("%s not in tag set %s (%v)", k, tag, err)
			}
			if ttl := c.TTL(ctx, cache.TagSetKey(r, tag)).Val(); ttl <= 0 {
				t.Fatalf("tag set %s has no expiry (%v)", tag, ttl)
			}
		}
	}

	// Delete of keys in different slots, in one call.
	if err := r.Delete(ctx, keys[0], keys[1], keys[2]); err != nil {
		t.Fatalf("Delete of keys on several masters: %v", err)
	}
	for _, k := range keys[:3] {
		if n := c.Exists(ctx, k).Val(); n != 0 {
			t.Fatalf("%s survived Delete", k)
		}
	}
	if n := c.Exists(ctx, keys[3]).Val(); n != 1 {
		t.Fatalf("%s, not deleted, is gone", keys[3])
	}

	// keys[3] has tag red, keys[4] red+green, keys[5] red+green+blue: green reaches
	// keys[4] and keys[5], which live on other masters than the tag set.
	if err := r.InvalidateTags(ctx, tags[1]); err != nil {
		t.Fatalf("InvalidateTags: %v", err)
	}
	for _, k := range keys[4:] {
		if n := c.Exists(ctx, k).Val(); n != 0 {
			t.Fatalf("%s survived InvalidateTags(green)", k)
		}
	}
	if n := c.ZCard(ctx, cache.TagSetKey(r, tags[1])).Val(); n != 0 {
		t.Fatalf("tag set green still has %d members", n)
	}
	if n := c.Exists(ctx, keys[3]).Val(); n != 1 {
		t.Fatalf("%s (tag red only) was removed by InvalidateTags(green)", keys[3])
	}
}

// TestClusterCache is the same through the Cache, for two tenants.
func TestClusterCache(t *testing.T) {
	t.Parallel()
	c := clusterClient(t)
	prefix := clusterPrefix(t, c)
	cc, _ := newClusterCache(t, c, prefix, 0)

	for _, tenant := range []string{"t1", "tenant-two"} {
		ctx := tenantCtx(tenant)
		for _, k := range []string{"a", "b", "c", "d"} {
			mustSet(t, cc, ctx, k, tenant+k, cache.WithTags("all", "tag-"+k))
		}
		for _, k := range []string{"a", "b", "c", "d"} {
			if v, ok, err := cc.Get(ctx, k); err != nil || !ok || string(v) != tenant+k {
				t.Fatalf("%s: Get %s = %q %v %v", tenant, k, v, ok, err)
			}
		}
		if err := cc.Delete(ctx, "a", "b"); err != nil {
			t.Fatalf("%s: Delete: %v", tenant, err)
		}
		for k, want := range map[string]bool{"a": false, "b": false, "c": true, "d": true} {
			if _, ok, _ := cc.Get(ctx, k); ok != want {
				t.Fatalf("%s: after Delete(a, b), %s present = %v", tenant, k, ok)
			}
		}
		if err := cc.InvalidateTags(ctx, "all"); err != nil {
			t.Fatalf("%s: InvalidateTags: %v", tenant, err)
		}
		for _, k := range []string{"c", "d"} {
			if _, ok, _ := cc.Get(ctx, k); ok {
				t.Fatalf("%s: %s survived InvalidateTags(all)", tenant, k)
			}
		}
	}
}

// TestClusterLocalTierCoherence: two instances with in-process tiers on one cluster;
// what A writes or deletes, B's in-process tier drops. B subscribes on one node; A's
// PUBLISH goes to whichever node owns the slot it travels with, and the cluster
// forwards it to every node.
func TestClusterLocalTierCoherence(t *testing.T) {
	t.Parallel()
	c := clusterClient(t)
	prefix := clusterPrefix(t, c)
	b, rb := newClusterCache(t, c, prefix, 100)
	// A separate client for A's writes, so B's subscription shares nothing with them.
	ca := clusterClient(t)
	a, ra := newClusterCache(t, ca, prefix, 100)
	waitLive(t, ra)
	waitLive(t, rb)
	ctx := tenantCtx("t1")

	keys := []string{"k1", "k2", "k3", "k4", "k5", "k6"}
	for _, k := range keys {
		mustSet(t, a, ctx, k, "v1")
	}
	for _, k := range keys {
		eventually(t, "B holds "+k+" in its in-process tier", func() bool {
			if v, ok, _ := b.Get(ctx, k); !ok || string(v) != "v1" {
				t.Fatalf("B read %s = %q %v, want v1", k, v, ok)
			}
			v, ok := cache.LocalGet(rb, dataKey(t, prefix, "t1", k))
			return ok && string(v) == "v1"
		})
	}

	for _, k := range keys[:3] {
		mustSet(t, a, ctx, k, "v2")
	}
	if err := a.Delete(ctx, keys[3:]...); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		eventually(t, "B's in-process tier drops "+k, func() bool {
			_, ok := cache.LocalGet(rb, dataKey(t, prefix, "t1", k))
			return !ok
		})
	}
	for _, k := range keys[:3] {
		if v, ok, _ := b.Get(ctx, k); !ok || string(v) != "v2" {
			t.Fatalf("B read %s = %q %v, want v2", k, v, ok)
		}
	}
	for _, k := range keys[3:] {
		if _, ok, _ := b.Get(ctx, k); ok {
			t.Fatalf("B still serves %s, which A deleted", k)
		}
	}
}

func dataKey(t *testing.T, prefix, tenant, key string) string {
	t.Helper()
	k, err := cache.DataKey(prefix, tenant, key)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
