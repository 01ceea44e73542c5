package ratelimit_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// newCluster returns a client on the Redis Cluster of TEST_REDIS_CLUSTER_ADDRS (make
// services starts one) and a key prefix of the test's own, whose keys are deleted
// from every master when the test ends. Unset, the test fails, as for TEST_REDIS_URL.
func newCluster(t *testing.T) (*redis.ClusterClient, string) {
	t.Helper()
	addrs := os.Getenv("TEST_REDIS_CLUSTER_ADDRS")
	if addrs == "" {
		t.Fatal("TEST_REDIS_CLUSTER_ADDRS is not set: run `make services` (it starts a local Redis Cluster) and load .services/env")
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(addrs, ",")})
	if err := c.ForEachShard(t.Context(), func(ctx context.Context, n *redis.Client) error {
		return n.Ping(ctx).Err()
	}); err != nil {
		_ = c.Close()
		t.Fatalf("Redis Cluster at %s: %v", addrs, err)
	}
	_, prefix := newRedis(t) // a fresh prefix; its single-node cleanup finds nothing here
	t.Cleanup(func() {
		_ = c.ForEachMaster(context.Background(), func(ctx context.Context, n *redis.Client) error {
			iter := n.Scan(ctx, 0, prefix+"*", 1000).Iterator()
			for iter.Next(ctx) {
				n.Del(ctx, iter.Val())
			}
			return iter.Err()
		})
		_ = c.Close()
	})
	return c, prefix
}

// TestClusterMatchesSingleNode drives the Redis limiter on a Redis Cluster, on one
// Redis and the in-process limiter through the same random sequence of requests over
// keys spread across the cluster's masters, and wants the same decision from all
// three every time, none of them degraded (FailClosed: a cluster error would show).
func TestClusterMatchesSingleNode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newFakeClock()
	cluster, cprefix := newCluster(t)
	single, sprefix := newRedis(t)
	mk := func(client redis.Scripter, prefix string) ratelimit.Limiter {
		l, err := ratelimit.NewRedis(ratelimit.RedisConfig{
			Timeout: testTimeout, Client: client, Prefix: prefix, Now: clock.Now, FailureMode: ratelimit.FailClosed,
		})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	onCluster, onSingle := mk(cluster, cprefix), mk(single, sprefix)
	local := ratelimit.NewLocal(ratelimit.WithClock(clock.Now))

	// Keys on several masters: the prefix is random, so try name sets until they are.
	keys := make([]string, 8)
	full := make([]string, len(keys))
	for try := 0; ; try++ {
		for i := range keys {
			keys[i] = fmt.Sprintf("tenant-%d-%d", i, try)
			full[i] = cprefix + keys[i]
		}
		if clusterMasters(t, cluster, full...) >= 2 {
			break
		}
		if try == 100 {
			t.Fatal("no keys spread over several masters in 100 tries: is the cluster down to one master?")
		}
	}

	// Redis expires a key after the TAT's distance in real time, the fake clock moves
	// in steps: an interval of seconds keeps every key alive in Redis for the whole
	// test, so both sides forget a TAT only when the fake clock passes it.
	limit := ratelimit.Limit{Rate: 10, Period: time.Minute, Burst: 3}
	rng := rand.New(rand.NewPCG(1, 2))
	refused := 0
	for i := range 600 {
		if rng.IntN(3) == 0 {
			clock.Advance(time.Duration(rng.IntN(9000)) * time.Millisecond)
		}
		key := keys[rng.IntN(len(keys))]
		want, err := local.Allow(ctx, key, limit)
		if err != nil {
			t.Fatal(err)
		}
		s, err := onSingle.Allow(ctx, key, limit)
		if err != nil {
			t.Fatal(err)
		}
		c, err := onCluster.Allow(ctx, key, limit)
		if err != nil {
			t.Fatal(err)
		}
		if c.Degraded || s.Degraded {
			t.Fatalf("step %d, %s: degraded decision (cluster %v, single %v)", i, key, c.Degraded, s.Degraded)
		}
		if c != s || c != want {
			t.Fatalf("step %d, %s: cluster %+v, single node %+v, local %+v", i, key, c, s, want)
		}
		if !c.Allowed {
			refused++
		}
	}
	if refused == 0 || refused == 600 {
		t.Fatalf("%d of 600 refused; the sequence did not exercise both outcomes", refused)
	}
	// The state is in the cluster: a fresh key is there after one decision.
	if _, err := onCluster.Allow(ctx, "probe", limit); err != nil {
		t.Fatal(err)
	}
	if ttl := cluster.PTTL(ctx, cprefix+"probe").Val(); ttl <= 0 {
		t.Fatalf("limiter key not in the cluster (PTTL %v)", ttl)
	}
}

// clusterMasters returns how many masters own keys.
func clusterMasters(t *testing.T, c *redis.ClusterClient, keys ...string) int {
	t.Helper()
	shards, err := c.ClusterShards(t.Context()).Result()
	if err != nil {
		t.Fatal(err)
	}
	owners := map[int]bool{}
	for _, k := range keys {
		slot := c.ClusterKeySlot(t.Context(), k).Val()
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
