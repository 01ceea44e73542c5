package cache_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/storage/cache"
)

// backends runs f against the in-memory backend and against Redis.
func backends(t *testing.T, f func(t *testing.T, c *cache.Cache)) {
	t.Helper()
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		c, _ := newMemoryCache(t)
		f(t, c)
	})
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		c, _, _ := newRedisCache(t, "", testPrefix(t), 0)
		f(t, c)
	})
	t.Run("redis+local", func(t *testing.T) {
		t.Parallel()
		c, r, _ := newRedisCache(t, "", testPrefix(t), 100)
		waitLive(t, r)
		f(t, c)
	})
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, c *cache.Cache) {
		a, b := tenantCtx("tenant-a"), tenantCtx("tenant-b")
		mustSet(t, c, a, "profile", "A's data", cache.WithTags("users"))

		if v, ok, err := c.Get(b, "profile"); err != nil || ok {
			t.Fatalf("tenant B read tenant A's entry: %q %v %v", v, ok, err)
		}
		if v, ok, _ := c.Global().Get(context.Background(), "profile"); ok {
			t.Fatalf("global namespace read tenant A's entry: %q", v)
		}
		// Tenant ids that could be confused with a key boundary stay apart.
		mustSet(t, c, tenantCtx("tenant-a:profile"), "x", "other")
		if v, ok, _ := c.Get(tenantCtx("tenant-a"), "profile:x"); ok {
			t.Fatalf("key boundary confusion: %q", v)
		}

		mustSet(t, c, b, "profile", "B's data", cache.WithTags("users"))
		if err := c.InvalidateTags(b, "users"); err != nil {
			t.Fatalf("InvalidateTags: %v", err)
		}
		if _, ok, _ := c.Get(b, "profile"); ok {
			t.Fatal("B's entry survived B's tag invalidation")
		}
		if v, ok, _ := c.Get(a, "profile"); !ok || string(v) != "A's data" {
			t.Fatalf("B's tag invalidation reached tenant A: %q %v", v, ok)
		}
		if err := c.Delete(b, "profile"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := c.Get(a, "profile"); !ok {
			t.Fatal("B's delete reached tenant A")
		}
		if err := c.Delete(a, "profile"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := c.Get(a, "profile"); ok {
			t.Fatal("delete did not remove the entry")
		}
	})
}

// TestTenantSpellingsShareANamespace: storage/rls scopes a tenant by its canonical
// UUID, so upper-case, lower-case and unhyphenated spellings of one tenant id are one
// tenant; the cache must give them one namespace, or an invalidation written one way
// misses the entries written another way.
func TestTenantSpellingsShareANamespace(t *testing.T) {
	t.Parallel()
	const lower = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
	upper, bare := strings.ToUpper(lower), strings.ReplaceAll(lower, "-", "")
	backends(t, func(t *testing.T, c *cache.Cache) {
		up, low, b := tenantCtx(upper), tenantCtx(lower), tenantCtx(bare)
		mustSet(t, c, up, "profile", "v1", cache.WithTags("users"))
		for name, ctx := range map[string]context.Context{"lower": low, "unhyphenated": b} {
			if v, ok, err := c.Get(ctx, "profile"); err != nil || !ok || string(v) != "v1" {
				t.Fatalf("%s spelling does not see the upper-case spelling's entry: %q %v %v", name, v, ok, err)
			}
		}
		if err := c.InvalidateTags(low, "users"); err != nil {
			t.Fatal(err)
		}
		if v, ok, _ := c.Get(up, "profile"); ok {
			t.Fatalf("an invalidation by the lower-case spelling missed the upper-case entry: %q", v)
		}
		mustSet(t, c, low, "profile", "v2")
		if err := c.Delete(up, "profile"); err != nil {
			t.Fatal(err)
		}
		if v, ok, _ := c.Get(b, "profile"); ok {
			t.Fatalf("a delete by the upper-case spelling missed the lower-case entry: %q", v)
		}
		// Another tenant still has its own namespace.
		if _, ok, _ := c.Get(tenantCtx("7ba7b810-9dad-11d1-80b4-00c04fd430c8"), "profile"); ok {
			t.Fatal("another tenant shares the namespace")
		}
	})
}

func TestNoTenantIsRefused(t *testing.T) {
	t.Parallel()
	c, _ := newMemoryCache(t)
	ctx := context.Background()
	calls := 0
	load := func(context.Context) ([]byte, error) { calls++; return []byte("v"), nil }
	checks := map[string]error{}
	_, _, checks["Get"] = c.Get(ctx, "k")
	checks["Set"] = c.Set(ctx, "k", []byte("v"))
	_, checks["GetOrLoad"] = c.GetOrLoad(ctx, "k", load)
	checks["Delete"] = c.Delete(ctx, "k")
	checks["InvalidateTags"] = c.InvalidateTags(ctx, "t")
	for op, err := range checks {
		if d := errs.From(err); d.Code != connect.CodeFailedPrecondition || d.Reason != "CACHE_NO_TENANT" {
			t.Errorf("%s without tenant: got %v (%+v), want FailedPrecondition CACHE_NO_TENANT", op, err, d)
		}
	}
	if calls != 0 {
		t.Errorf("loader ran %d times without a tenant", calls)
	}
	// The global namespace is an explicit opt-in and works without a principal.
	if err := c.Global().Set(ctx, "k", []byte("shared")); err != nil {
		t.Fatal(err)
	}
	if v, ok, _ := c.Global().Get(ctx, "k"); !ok || string(v) != "shared" {
		t.Fatalf("global get: %q %v", v, ok)
	}
}

func TestGetOrLoadSingleFlight(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, c *cache.Cache) {
		ctx := tenantCtx("t1")
		var loads atomic.Int64
		release := make(chan struct{})
		load := func(context.Context) ([]byte, error) {
			loads.Add(1)
			<-release
			return []byte("loaded"), nil
		}
		const n = 100
		var wg sync.WaitGroup
		var started sync.WaitGroup
		started.Add(n)
		results := make([]string, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				started.Done()
				v, err := c.GetOrLoad(ctx, "hot", load)
				results[i], errs[i] = string(v), err
			})
		}
		started.Wait()
		close(release)
		wg.Wait()
		for i := range n {
			if errs[i] != nil || results[i] != "loaded" {
				t.Fatalf("caller %d: %q %v", i, results[i], errs[i])
			}
		}
		if got := loads.Load(); got != 1 {
			t.Fatalf("loads = %d, want exactly 1", got)
		}
	})
}

func TestGetOrLoadDetachedFromCallerCancel(t *testing.T) {
	t.Parallel()
	c, _ := newMemoryCache(t)
	base := tenantCtx("t1")
	entered := make(chan struct{})
	release := make(chan struct{})
	var loaderErr atomic.Value
	load := func(ctx context.Context) ([]byte, error) {
		close(entered)
		<-release
		loaderErr.Store(fmt.Sprint(ctx.Err()))
		if _, ok := ctx.Deadline(); !ok {
			return nil, errors.New("loader has no deadline of its own")
		}
		return []byte("v"), nil
	}
	ctxA, cancelA := context.WithCancel(base)
	errA := make(chan error, 1)
	go func() {
		_, err := c.GetOrLoad(ctxA, "k", load)
		errA <- err
	}()
	<-entered
	resB := make(chan []byte, 1)
	go func() {
		v, _ := c.GetOrLoad(base, "k", load)
		resB <- v
	}()
	cancelA()
	if err := <-errA; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller got %v, want context.Canceled", err)
	}
	close(release)
	if v := <-resB; string(v) != "v" {
		t.Fatalf("other caller got %q, want the loaded value", v)
	}
	if got := loaderErr.Load(); got != "<nil>" {
		t.Fatalf("loader saw ctx.Err() = %v after one caller cancelled", got)
	}
}

func TestGetOrLoadErrorsAndPanics(t *testing.T) {
	t.Parallel()
	c, b := newMemoryCache(t)
	ctx := tenantCtx("t1")
	boom := errs.NotFound("NO_SUCH_THING", "no such thing")
	if _, err := c.GetOrLoad(ctx, "k", func(context.Context) ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("loader error not returned: %v", err)
	}
	if _, ok, _ := c.Get(ctx, "k"); ok {
		t.Fatal("a failed load stored something")
	}
	_, err := c.GetOrLoad(ctx, "k", func(context.Context) ([]byte, error) { panic("secret-panic-value") })
	if d := errs.From(err); d.Code != connect.CodeInternal || strings.Contains(err.Error(), "secret-panic-value") {
		t.Fatalf("panic: got %v, want an Internal error that hides the panic value", err)
	}
	if got := b.counter(t, "footing.cache.loads", map[string]string{"footing.result": "error"}); got != 2 {
		t.Fatalf("failed loads counted %d, want 2", got)
	}
}

func TestTTLExpires(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, c *cache.Cache) {
		ctx := tenantCtx("t1")
		mustSet(t, c, ctx, "short", "v", cache.WithTTL(50*time.Millisecond))
		mustSet(t, c, ctx, "long", "v", cache.WithTTL(time.Hour))
		deadline := time.Now().Add(10 * time.Second)
		for {
			if _, ok, _ := c.Get(ctx, "short"); !ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("entry with a 50ms TTL still there after 10s")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if _, ok, _ := c.Get(ctx, "long"); !ok {
			t.Fatal("entry with a 1h TTL is gone")
		}
	})
}

func TestTypedCodecs(t *testing.T) {
	t.Parallel()
	c, _ := newMemoryCache(t)
	ctx := tenantCtx("t1")

	type profile struct {
		Name  string `json:"name"`
		Score int    `json:"score"`
	}
	pc := cache.For(c, cache.JSON[profile]())
	if err := pc.Set(ctx, "p", profile{"ada", 7}); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := pc.Get(ctx, "p"); err != nil || !ok || got != (profile{"ada", 7}) {
		t.Fatalf("JSON round trip: %+v %v %v", got, ok, err)
	}

	uc := cache.For(c, cache.Proto[*commonv1.User]())
	var loads int
	load := func(context.Context) (*commonv1.User, error) {
		loads++
		return &commonv1.User{Id: "u1", Email: "ada@example.com"}, nil
	}
	for range 2 {
		u, err := uc.GetOrLoad(ctx, "u1", load)
		if err != nil || u.GetEmail() != "ada@example.com" {
			t.Fatalf("proto GetOrLoad: %v %v", u, err)
		}
	}
	if loads != 1 {
		t.Fatalf("proto loads = %d, want 1", loads)
	}

	// Bytes that no longer decode are a miss, not an error.
	if err := c.Set(ctx, "p", []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := pc.Get(ctx, "p"); ok || err != nil {
		t.Fatalf("undecodable entry: ok=%v err=%v, want a miss", ok, err)
	}
	got, err := pc.GetOrLoad(ctx, "p", func(context.Context) (profile, error) { return profile{"grace", 9}, nil })
	if err != nil || got != (profile{"grace", 9}) {
		t.Fatalf("GetOrLoad over an undecodable entry: %+v %v, want the loaded value", got, err)
	}
	if got, ok, _ := pc.Get(ctx, "p"); !ok || got.Name != "grace" {
		t.Fatalf("the loaded value did not replace the undecodable entry: %+v %v", got, ok)
	}
}

func TestConfigValidateReportsAll(t *testing.T) {
	t.Parallel()
	err := cache.Config{
		RedisURL:        "mysql://user:hunter2@host/db",
		DefaultTTL:      -1,
		Jitter:          1.5,
		LoadTimeout:     -1,
		LocalMaxEntries: -1,
		LocalTTL:        -1,
	}.Validate()
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, want := range []string{"RedisURL", "DefaultTTL", "Jitter", "LoadTimeout", "LocalMaxEntries", "LocalTTL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate missed %s: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Validate echoed the password: %v", err)
	}
	if err := (cache.Config{}).Validate(); err != nil {
		t.Errorf("zero Config: %v", err)
	}
}

func mustSet(t *testing.T, c *cache.Cache, ctx context.Context, key, value string, opts ...cache.SetOption) {
	t.Helper()
	if err := c.Set(ctx, key, []byte(value), opts...); err != nil {
		t.Fatalf("Set %s: %v", key, err)
	}
}

func waitLive(t *testing.T, r *cache.Redis) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cache.LocalLive(r) {
		if time.Now().After(deadline) {
			t.Fatal("in-process tier not subscribed after 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
