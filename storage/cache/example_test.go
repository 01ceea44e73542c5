package cache_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"

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
