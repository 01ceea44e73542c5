package quota_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/redis/go-redis/v9"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"

	"github.com/footingdev/footing/aigateway/quota"
)

// redisClient connects to TEST_REDIS_URL (default redis://127.0.0.1:6379/0).
func redisClient(t *testing.T) *redis.Client {
	t.Helper()
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	if err := c.Ping(t.Context()).Err(); err != nil {
		t.Fatalf("Redis at %s: %v (set TEST_REDIS_URL)", url, err)
	}
	return c
}

// prefix is a key prefix of the test's own; its keys are deleted afterwards.
func prefix(t *testing.T, c *redis.Client) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	p := "test:aiquota:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := c.Keys(ctx, p+"*").Result()
		if len(keys) > 0 {
			c.Del(ctx, keys...)
		}
	})
	return p
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// stores runs f against the in-memory store and against Redis.
func stores(t *testing.T, f func(t *testing.T, newLimiter func(quota.Config, *clock) *quota.Limiter)) {
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		f(t, func(cfg quota.Config, clk *clock) *quota.Limiter {
			l, err := quota.New(quota.NewMemoryStore(clk.Now), cfg, quota.WithClock(clk.Now))
			if err != nil {
				t.Fatal(err)
			}
			return l
		})
	})
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		c := redisClient(t)
		f(t, func(cfg quota.Config, clk *clock) *quota.Limiter {
			cfg.KeyPrefix = prefix(t, c)
			l, err := quota.New(quota.NewRedisStore(c), cfg, quota.WithClock(clk.Now))
			if err != nil {
				t.Fatal(err)
			}
			return l
		})
	})
	t.Run("redis-cluster", func(t *testing.T) {
		t.Parallel()
		c := clusterClient(t)
		f(t, func(cfg quota.Config, clk *clock) *quota.Limiter {
			cfg.KeyPrefix = clusterPrefix(t, c)
			l, err := quota.New(quota.NewRedisStore(c), cfg, quota.WithClock(clk.Now))
			if err != nil {
				t.Fatal(err)
			}
			return l
		})
	})
}

func start() *clock { return &clock{now: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)} }

func tenant(id, user string) *commonv1.Principal {
	return &commonv1.Principal{TenantId: id, UserId: user}
}

func TestConcurrentRequestsNeverOverspend(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, newLimiter func(quota.Config, *clock) *quota.Limiter) {
		const worst = 1_000_000 // nano-USD a request may cost at most
		l := newLimiter(quota.Config{Tenant: quota.Limits{Budget: 10 * worst}}, start())
		var served, refused atomic.Int32
		var wg sync.WaitGroup
		for range 100 {
			wg.Go(func() {
				res, err := l.Reserve(t.Context(), tenant("acme", ""), quota.Request{Tokens: 100, Cost: worst})
				if err != nil {
					if errs.From(err).Reason != "BUDGET_EXHAUSTED" {
						t.Errorf("refusal: %v", err)
					}
					refused.Add(1)
					return
				}
				served.Add(1)
				// The call used all it reserved: nothing comes back.
				if err := res.Settle(t.Context(), 100, worst); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if served.Load() != 10 || refused.Load() != 90 {
			t.Errorf("served %d, refused %d; want 10 and 90", served.Load(), refused.Load())
		}
	})
}

func TestSettleRefundsTheDifference(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, newLimiter func(quota.Config, *clock) *quota.Limiter) {
		l := newLimiter(quota.Config{Tenant: quota.Limits{Budget: 100}}, start())
		p := tenant("acme", "")
		res, err := l.Reserve(t.Context(), p, quota.Request{Cost: 100})
		if err != nil {
			t.Fatal(err)
		}
		// While reserved, the budget is taken.
		if _, err := l.Reserve(t.Context(), p, quota.Request{Cost: 1}); errs.From(err).Reason != "BUDGET_EXHAUSTED" {
			t.Fatalf("second reservation while the first holds the budget: %v", err)
		}
		res.Settle(t.Context(), 0, 30)
		res.Settle(t.Context(), 0, 0) // only the first settle counts
		if _, err := l.Reserve(t.Context(), p, quota.Request{Cost: 70}); err != nil {
			t.Fatalf("after settling at 30 of 100, 70 should fit: %v", err)
		}
		if _, err := l.Reserve(t.Context(), p, quota.Request{Cost: 1}); err == nil {
			t.Fatal("the budget is spent, yet a request was admitted")
		}
	})
}

func TestRequestsPerMinute(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, newLimiter func(quota.Config, *clock) *quota.Limiter) {
		clk := start()
		clk.Add(45 * time.Second)
		l := newLimiter(quota.Config{Tenant: quota.Limits{RequestsPerMinute: 2}}, clk)
		p := tenant("acme", "")
		for range 2 {
			if _, err := l.Reserve(t.Context(), p, quota.Request{}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := l.Reserve(t.Context(), p, quota.Request{})
		d := errs.From(err)
		if d.Code != connect.CodeResourceExhausted || d.Reason != "REQUESTS_PER_MINUTE_EXCEEDED" || d.RetryAfter != 15*time.Second {
			t.Fatalf("got %v, retry after %v", err, d.RetryAfter)
		}
		// Another tenant has its own count.
		if _, err := l.Reserve(t.Context(), tenant("other", ""), quota.Request{}); err != nil {
			t.Fatalf("other tenant: %v", err)
		}
		clk.Add(15 * time.Second)
		if _, err := l.Reserve(t.Context(), p, quota.Request{}); err != nil {
			t.Fatalf("next minute: %v", err)
		}
	})
}

func TestTokensPerMinuteAndUsers(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, newLimiter func(quota.Config, *clock) *quota.Limiter) {
		l := newLimiter(quota.Config{
			Tenant:  quota.Limits{TokensPerMinute: 1000},
			Tenants: map[string]quota.Limits{"big": {TokensPerMinute: 1_000_000}},
			User:    quota.Limits{TokensPerMinute: 600},
		}, start())
		alice, bob := tenant("acme", "alice"), tenant("acme", "bob")
		res, err := l.Reserve(t.Context(), alice, quota.Request{Tokens: 600})
		if err != nil {
			t.Fatal(err)
		}
		// Alice is at her own limit.
		if _, err := l.Reserve(t.Context(), alice, quota.Request{Tokens: 1}); errs.From(err).Metadata["scope"] != "user alice" {
			t.Fatalf("alice over her limit: %v", err)
		}
		// Bob is under his, but the tenant has only 400 left.
		if _, err := l.Reserve(t.Context(), bob, quota.Request{Tokens: 500}); errs.From(err).Metadata["scope"] != "tenant acme" {
			t.Fatalf("bob over the tenant's limit: %v", err)
		}
		// Alice used 100 of her 600: 500 come back to both scopes.
		res.Settle(t.Context(), 100, 0)
		if _, err := l.Reserve(t.Context(), bob, quota.Request{Tokens: 500}); err != nil {
			t.Fatalf("after the refund: %v", err)
		}
		// A request larger than the limit can never fit, and says so without a retry-after.
		_, err = l.Reserve(t.Context(), tenant("new", ""), quota.Request{Tokens: 5000})
		if d := errs.From(err); d.Reason != "TOKENS_PER_MINUTE_EXCEEDED" || d.HasRetryAfter {
			t.Fatalf("oversized request: %v", err)
		}
		// The override.
		if _, err := l.Reserve(t.Context(), tenant("big", ""), quota.Request{Tokens: 5000}); err != nil {
			t.Fatalf("tenant with an override: %v", err)
		}
	})
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	err := quota.Config{Tenant: quota.Limits{Budget: -1}, User: quota.Limits{TokensPerMinute: -1}}.Validate()
	if d := errs.From(err); d.Code != connect.CodeInvalidArgument || len(d.FieldViolations) != 2 {
		t.Fatalf("got %v", err)
	}
}

// TestIDsCannotForgeAnotherScopesKey: the store keys of different scopes never
// coincide, whatever bytes the ids hold. Before, tenant "x}:u:Z" and the user "Z}:t"
// of tenant "x" both counted on "{x}:u:Z}:t:rpm:…", and tenant "\xff" on the counters
// of the principal without a tenant.
func TestIDsCannotForgeAnotherScopesKey(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, newLimiter func(quota.Config, *clock) *quota.Limiter) {
		l := newLimiter(quota.Config{
			Tenant:  quota.Limits{RequestsPerMinute: 1, TokensPerMinute: 10, Budget: 10},
			Tenants: map[string]quota.Limits{"a": {}}, // only its users count
			User:    quota.Limits{RequestsPerMinute: 1, TokensPerMinute: 10, Budget: 10},
		}, start())
		pairs := [][2]*commonv1.Principal{
			{tenant("x}:u:Z", ""), tenant("x", "Z}:t")},
			{tenant("", ""), tenant("\xff", "")},
			{tenant("a%7Db", ""), tenant("a}b", "")},
			{tenant("a", "b:t:rpm"), tenant("a", "b")},
		}
		for _, pair := range pairs {
			for _, p := range pair {
				if _, err := l.Reserve(t.Context(), p, quota.Request{Tokens: 10, Cost: 10}); err != nil {
					t.Errorf("tenant %q user %q: %v (its counters are another scope's)", p.TenantId, p.UserId, err)
				}
			}
			// Each scope did take from its own counters.
			for _, p := range pair {
				if _, err := l.Reserve(t.Context(), p, quota.Request{}); errs.From(err).Reason != "REQUESTS_PER_MINUTE_EXCEEDED" {
					t.Errorf("tenant %q user %q, second request: %v", p.TenantId, p.UserId, err)
				}
			}
		}
	})
}

// TestRefusalOfIDsNotInUTF8: a refusal names its scope in the error's message and
// metadata, which must be UTF-8; an id that is not (a Principal built in code, not
// decoded) is named with U+FFFD. Before, building the refusal panicked.
func TestRefusalOfIDsNotInUTF8(t *testing.T) {
	t.Parallel()
	l, err := quota.New(quota.NewMemoryStore(nil), quota.Config{User: quota.Limits{RequestsPerMinute: 1}}, quota.WithClock(start().Now))
	if err != nil {
		t.Fatal(err)
	}
	p := tenant("t\xff", "u\xfe")
	if _, err := l.Reserve(t.Context(), p, quota.Request{}); err != nil {
		t.Fatal(err)
	}
	_, err = l.Reserve(t.Context(), p, quota.Request{})
	if d := errs.From(err); d.Reason != "REQUESTS_PER_MINUTE_EXCEEDED" || d.Metadata["scope"] != "user u\uFFFD" {
		t.Fatalf("got %v (scope %q)", err, d.Metadata["scope"])
	}
}

// TestTenantLimitsMatchAnySpellingOfTheTenant: Tenants is keyed by tenant id as
// the operator writes it, and a UUID tenant reaches Reserve in its canonical
// spelling (gatewaycore/auth puts identity.CanonicalTenantID in the Principal): an
// entry written in upper case, or as 32 hex digits, applies to that tenant, and
// every spelling counts against one set of counters. Two entries for one tenant
// are a configuration error.
func TestTenantLimitsMatchAnySpellingOfTheTenant(t *testing.T) {
	t.Parallel()
	const upper, canonical, bare = "6BA7B810-9DAD-11D1-80B4-00C04FD430C8", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "6ba7b8109dad11d180b400c04fd430c8"
	stores(t, func(t *testing.T, newLimiter func(quota.Config, *clock) *quota.Limiter) {
		l := newLimiter(quota.Config{Tenant: quota.Limits{RequestsPerMinute: 100}, Tenants: map[string]quota.Limits{upper: {RequestsPerMinute: 2}}}, start())
		for i, id := range []string{canonical, bare, upper} {
			_, err := l.Reserve(t.Context(), tenant(id, ""), quota.Request{})
			if i < 2 && err != nil {
				t.Fatalf("request %d as %s: %v", i+1, id, err)
			}
			if i == 2 {
				if d := errs.From(err); d.Reason != "REQUESTS_PER_MINUTE_EXCEEDED" || d.Metadata["limit"] != "2" {
					t.Fatalf("third request in the minute, as %s: %v; want the tenant's own limit of 2", id, err)
				}
			}
		}
	})
	_, err := quota.New(quota.NewMemoryStore(nil), quota.Config{Tenants: map[string]quota.Limits{upper: {Budget: 1}, canonical: {Budget: 2}}})
	if d := errs.From(err); d.Code != connect.CodeInvalidArgument || d.Reason != "QUOTA_CONFIG_INVALID" {
		t.Fatalf("two entries for one tenant: %v", err)
	}
}

// TestRequestDearerThanTheWholeBudget: a request whose worst case alone is more
// than the budget is told so — to lower max_tokens — without a retry-after, as
// one of more tokens than the minute allows is: it was told its scope "has spent
// its budget for the period" and to retry when the period ends, when it would be
// refused again, though nothing had been spent.
func TestRequestDearerThanTheWholeBudget(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, newLimiter func(quota.Config, *clock) *quota.Limiter) {
		l := newLimiter(quota.Config{Tenant: quota.Limits{Budget: 1000, BudgetPeriod: 24 * time.Hour}}, start())
		_, err := l.Reserve(t.Context(), tenant("acme", ""), quota.Request{Tokens: 10, Cost: 1001})
		d := errs.From(err)
		if d.Code != connect.CodeResourceExhausted || d.Reason != "BUDGET_EXHAUSTED" || d.HasRetryAfter ||
			!strings.Contains(d.Message, "lower max_tokens") || strings.Contains(d.Message, "has spent") {
			t.Fatalf("got %v (retry after %v); want BUDGET_EXHAUSTED saying to lower max_tokens, without a retry-after", err, d.RetryAfter)
		}
		// One within the budget, refused because the budget is spent, still waits.
		res, err := l.Reserve(t.Context(), tenant("acme", ""), quota.Request{Tokens: 10, Cost: 1000})
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Settle(t.Context(), 10, 1000)
		_, err = l.Reserve(t.Context(), tenant("acme", ""), quota.Request{Tokens: 10, Cost: 1})
		if d := errs.From(err); d.Reason != "BUDGET_EXHAUSTED" || !d.HasRetryAfter || !strings.Contains(d.Message, "has spent") {
			t.Fatalf("spent budget: %v", err)
		}
	})
}
