package quota_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/footingdev/footing/aigateway/quota"
	"github.com/footingdev/footing/contracts/errs"
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

// clusterPrefix is a key prefix of the test's own; its keys are deleted from every
// master afterwards.
func clusterPrefix(t *testing.T, c *redis.ClusterClient) string {
	t.Helper()
	p := prefix(t, redisClient(t)) // a fresh prefix; its single-node cleanup finds nothing here
	t.Cleanup(func() {
		_ = c.ForEachMaster(context.Background(), func(ctx context.Context, n *redis.Client) error {
			iter := n.Scan(ctx, 0, p+"*", 1000).Iterator()
			for iter.Next(ctx) {
				n.Del(ctx, iter.Val())
			}
			return iter.Err()
		})
	})
	return p
}

// TestClusterTenantsAcrossMasters reserves, settles and refunds for tenants whose
// counters live on different masters of the cluster, each with tenant and user
// counters of every kind (one script over several keys sharing the tenant's hash
// tag), and for the principal without a tenant.
func TestClusterTenantsAcrossMasters(t *testing.T) {
	t.Parallel()
	c := clusterClient(t)
	l, err := quota.New(quota.NewRedisStore(c), quota.Config{
		KeyPrefix: clusterPrefix(t, c),
		Tenant:    quota.Limits{RequestsPerMinute: 100, TokensPerMinute: 1000, Budget: 100},
		User:      quota.Limits{RequestsPerMinute: 100, TokensPerMinute: 600, Budget: 60},
	}, quota.WithClock(start().Now))
	if err != nil {
		t.Fatal(err)
	}
	tenants := []string{"acme", "globex", "initech", "umbrella", "hooli", "stark", ""}
	slots := map[int64]bool{}
	for _, id := range tenants {
		slots[c.ClusterKeySlot(t.Context(), "{"+id+"}").Val()] = true
	}
	if len(slots) < 3 {
		t.Fatalf("tenants hash to %d slot(s), want several", len(slots))
	}
	for _, id := range tenants {
		t.Run("tenant="+id, func(t *testing.T) {
			ctx := t.Context()
			alice := tenant(id, "alice")
			res, err := l.Reserve(ctx, alice, quota.Request{Tokens: 600, Cost: 60})
			if err != nil {
				t.Fatalf("reserve: %v (%s)", err, errs.From(err).Metadata["error"])
			}
			// Alice is at her own limits; the tenant is not.
			if _, err := l.Reserve(ctx, alice, quota.Request{Tokens: 1, Cost: 1}); errs.From(err).Metadata["scope"] != "user alice" {
				t.Fatalf("alice over her limit: %v", err)
			}
			// Settling at less refunds the difference to both counters.
			if err := res.Settle(ctx, 100, 10); err != nil {
				t.Fatalf("settle: %v", err)
			}
			if _, err := l.Reserve(ctx, alice, quota.Request{Tokens: 500, Cost: 50}); err != nil {
				t.Fatalf("after settling at 100 tokens and 10 of 60: %v", err)
			}
			// The tenant has 400 tokens and 40 left; bob asks for more.
			bob := tenant(id, "bob")
			if _, err := l.Reserve(ctx, bob, quota.Request{Tokens: 401}); errs.From(err).Metadata["scope"] != "tenant "+id {
				t.Fatalf("bob over the tenant's tokens: %v", err)
			}
			if _, err := l.Reserve(ctx, bob, quota.Request{Tokens: 400, Cost: 40}); err != nil {
				t.Fatalf("bob within the tenant's rest: %v", err)
			}
			if _, err := l.Reserve(ctx, bob, quota.Request{Cost: 1}); errs.From(err).Reason != "BUDGET_EXHAUSTED" {
				t.Fatalf("tenant budget spent: %v", err)
			}
		})
	}
}
