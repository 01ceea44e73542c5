package cache_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/redis/go-redis/v9"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/cache"
)

func Example() {
	// No RedisURL: an in-process cache. Set RedisURL (REDIS_URL) for a shared one.
	c, err := cache.Open(cache.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		panic(err)
	}
	defer c.Close()

	type plan struct{ Name string }
	plans := cache.For(c, cache.JSON[plan]())
	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: "acme"})

	for range 2 {
		p, err := plans.GetOrLoad(ctx, "plan", func(context.Context) (plan, error) {
			fmt.Println("loading from the database")
			return plan{Name: "pro"}, nil
		}, cache.WithTags("billing"))
		if err != nil {
			panic(err)
		}
		fmt.Println(p.Name)
	}

	// Another tenant has its own namespace.
	other := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: "globex"})
	_, found, _ := plans.Get(other, "plan")
	fmt.Println("globex sees acme's entry:", found)

	_ = c.InvalidateTags(ctx, "billing")
	_, found, _ = plans.Get(ctx, "plan")
	fmt.Println("after invalidation:", found)
	// Output:
	// loading from the database
	// pro
	// pro
	// globex sees acme's entry: false
	// after invalidation: false
}

func ExampleOpen_redis() {
	c, err := cache.Open(cache.Config{RedisURL: redisURL(), Prefix: "example", LocalMaxEntries: 1000})
	if err != nil {
		panic(err)
	}
	defer c.Close()
	users := cache.For(c, cache.Proto[*commonv1.User]())
	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: "acme"})
	u, err := users.GetOrLoad(ctx, "user:1", func(context.Context) (*commonv1.User, error) {
		return &commonv1.User{Id: "1", DisplayName: "Ada"}, nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(u.GetDisplayName())
	_ = users.Delete(ctx, "user:1")
	// Output: Ada
}

func ExampleCache_Global() {
	c := cache.New(cache.NewMemory(0), cache.Config{})
	// Data that belongs to no tenant goes in the global namespace, asked for by name.
	_ = c.Global().Set(context.Background(), "currencies", []byte("EUR,USD"))
	v, _, _ := c.Global().Get(context.Background(), "currencies")
	fmt.Println(string(v))

	// Without a tenant, the tenant namespace refuses.
	_, _, err := c.Get(context.Background(), "currencies")
	fmt.Println(err)
	// Output:
	// EUR,USD
	// failed_precondition: cache: no tenant in context; use Cache.Global for data shared by all tenants
}

// ExampleNewRedisClient runs the cache on a Redis Cluster (make services starts one and
// puts its nodes in TEST_REDIS_CLUSTER_ADDRS). A *redis.Client works the same way.
func ExampleNewRedisClient() {
	addrs := os.Getenv("TEST_REDIS_CLUSTER_ADDRS")
	if addrs == "" {
		panic("TEST_REDIS_CLUSTER_ADDRS is not set: run `make services` and load .services/env")
	}
	client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(addrs, ",")})
	defer client.Close() // the backend leaves its client open

	backend, err := cache.NewRedisClient(client, cache.Config{Prefix: "example-cluster"})
	if err != nil {
		panic(err)
	}
	c := cache.New(backend, cache.Config{})
	defer c.Close()

	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: "acme"})
	// Keys of one call may live on different masters: Set, Delete and
	// InvalidateTags work key by key there (see the package documentation).
	_ = c.Set(ctx, "invoice:1", []byte("paid"), cache.WithTags("billing"))
	_ = c.Set(ctx, "invoice:2", []byte("open"), cache.WithTags("billing"))
	v, found, _ := c.Get(ctx, "invoice:2")
	fmt.Printf("invoice:2 cached: %v (%s)\n", found, v)
	if err := c.InvalidateTags(ctx, "billing"); err != nil {
		panic(err)
	}
	_, found1, _ := c.Get(ctx, "invoice:1")
	_, found2, _ := c.Get(ctx, "invoice:2")
	fmt.Println("after invalidating billing:", found1, found2)
	// Output:
	// invoice:2 cached: true (open)
	// after invalidating billing: false false
}

// ExampleWithMemoryMaxBytes bounds the in-process backend by bytes as well as by
// entries: the least recently used values go to make room, and a value larger than the
// whole bound is not stored.
func ExampleWithMemoryMaxBytes() {
	c := cache.New(cache.NewMemory(10_000, cache.WithMemoryMaxBytes(1<<20)), cache.Config{})
	defer c.Close()
	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: "acme"})

	_ = c.Set(ctx, "page:1", make([]byte, 600<<10))
	_ = c.Set(ctx, "page:2", make([]byte, 600<<10)) // 1.2 MiB in all: page:1 goes
	_ = c.Set(ctx, "export", make([]byte, 2<<20))   // over the whole bound: not stored
	for _, k := range []string{"page:1", "page:2", "export"} {
		_, found, _ := c.Get(ctx, k)
		fmt.Println(k, found)
	}
	// Output:
	// page:1 false
	// page:2 true
	// export false
}
