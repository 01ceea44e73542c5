package respcache_test

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/footingdev/footing/aigateway/respcache"
)

// clusterClient connects to the Redis Cluster of TEST_REDIS_CLUSTER_ADDRS (make
// services starts one). Unset, the test fails, as for TEST_REDIS_URL.
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

// TestClusterRoundTrip stores an answer for each of several tenants on a Redis
// Cluster, with the keys spread over its masters, and replays each: the stored bytes
// are in the cluster with the TTL, and every tenant gets its own answer back.
func TestClusterRoundTrip(t *testing.T) {
	t.Parallel()
	c := clusterClient(t)
	cache := respcache.New(respcache.NewRedisStore(c), respcache.Config{KeyPrefix: prefix(), TTL: time.Minute})
	ctx := t.Context()

	tenants := []string{"acme", "globex", "initech", "umbrella", "hooli", "stark"}
	keys := make([]string, len(tenants))
	slots := map[int64]bool{}
	for i, tenant := range tenants {
		k, ok := cache.Key(tenant, req(nil, nil))
		if !ok {
			t.Fatal("request not cacheable")
		}
		keys[i] = k
		slots[c.ClusterKeySlot(ctx, k).Val()] = true
		chunks := answer()
		chunks[0].DeltaText = tenant + ":"
		if err := cache.Put(ctx, k, chunks); err != nil {
			t.Fatalf("%s: Put: %v", tenant, err)
		}
	}
	if len(slots) < 3 {
		t.Fatalf("keys in %d slot(s), want them spread", len(slots))
	}
	for i, tenant := range tenants {
		if ttl := c.TTL(ctx, keys[i]).Val(); ttl <= 0 || ttl > time.Minute {
			t.Fatalf("%s: key TTL %v in the cluster, want (0, 1m]", tenant, ttl)
		}
		r, hit := cache.Get(ctx, keys[i])
		if !hit {
			t.Fatalf("%s: miss after Put", tenant)
		}
		var text string
		for {
			ch, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			text += ch.GetDeltaText()
		}
		if want := tenant + ":lo"; text != want {
			t.Fatalf("%s: replayed %q, want %q", tenant, text, want)
		}
		c.Del(ctx, keys[i])
	}
}
