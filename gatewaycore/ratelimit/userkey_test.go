package ratelimit_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// TestUserKeyIdentifiesThePrincipal checks that KeyUser tells apart every pair of
// principals that are different callers — a subject is unique only within its
// issuer, and a caller acting for two tenants counts once per tenant — however
// their parts are split, and that keys stay bounded.
func TestUserKeyIdentifiesThePrincipal(t *testing.T) {
	t.Parallel()
	key := func(p *commonv1.Principal) string {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		return ratelimit.Key(r.WithContext(identity.WithPrincipal(r.Context(), p)), ratelimit.KeyUser, "")
	}
	pairs := []struct {
		name string
		a, b *commonv1.Principal
	}{
		{"same subject, two issuers",
			&commonv1.Principal{Subject: "alice", UserId: "alice", Issuer: "https://a.example"},
			&commonv1.Principal{Subject: "alice", UserId: "alice", Issuer: "https://b.example"}},
		{"same subject, two tenants",
			&commonv1.Principal{Subject: "alice", TenantId: "t1", Issuer: "https://a.example"},
			&commonv1.Principal{Subject: "alice", TenantId: "t2", Issuer: "https://a.example"}},
		{"same user id, two subjects",
			&commonv1.Principal{Subject: "alice", UserId: "u1", Issuer: "https://a.example"},
			&commonv1.Principal{Subject: "bob", UserId: "u1", Issuer: "https://a.example"}},
		{"issuer|tenant split", // "a|b" + "c" must not meet "a" + "b|c"
			&commonv1.Principal{Issuer: "a|b", TenantId: "c", Subject: "s"},
			&commonv1.Principal{Issuer: "a", TenantId: "b|c", Subject: "s"}},
		{"tenant|subject split",
			&commonv1.Principal{Issuer: "i", TenantId: "t:", Subject: "s"},
			&commonv1.Principal{Issuer: "i", TenantId: "t", Subject: ":s"}},
		{"subject against user id",
			&commonv1.Principal{Issuer: "i", Subject: "x"},
			&commonv1.Principal{Issuer: "i", UserId: "x"}},
	}
	for _, tc := range pairs {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ka, kb := key(tc.a), key(tc.b)
			if ka == kb {
				t.Fatalf("both principals count as %q", ka)
			}
			if ka != key(tc.a) {
				t.Fatal("the same principal got two keys")
			}
		})
	}
	long := key(&commonv1.Principal{Subject: strings.Repeat("s", 512), TenantId: strings.Repeat("t", 64), Issuer: strings.Repeat("i", 512)})
	if len(long) != len("user:")+32 {
		t.Fatalf("key of a large principal is %d bytes: %q", len(long), long)
	}
}

// TestUserLimitPerIssuer runs auth's middleware with two trusted issuers in front of
// a KeyUser policy on Redis, as the chain does: tokens with the same "sub" from the
// two issuers are two users with a bucket each, so one cannot exhaust the other's.
func TestUserLimitPerIssuer(t *testing.T) {
	t.Parallel()
	issA, issB := authtest.NewIssuer(), authtest.NewIssuer()
	t.Cleanup(issA.Close)
	t.Cleanup(issB.Close)
	cfgA, cfgB := issA.Config(), issB.Config()
	cfgA.Name, cfgB.Name = "a", "b"
	a, err := auth.New(auth.Config{Issuers: []auth.IssuerConfig{cfgA, cfgB}, HTTPClient: issA.Client()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	policy, err := auth.NewPolicy(map[string]auth.Rule{"/api/*": auth.Authenticated()})
	if err != nil {
		t.Fatal(err)
	}
	client, prefix := newRedis(t)
	clock := newFakeClock()
	l, err := ratelimit.NewRedis(ratelimit.RedisConfig{Timeout: testTimeout, Client: client, Prefix: prefix, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	limits := mustMiddleware(t, l, ratelimit.Rule{Prefix: "/api/", Policy: ratelimit.Policy{
		Name: "users", Key: ratelimit.KeyUser, Limit: ratelimit.Limit{Rate: 1, Period: time.Minute},
	}})
	h := a.Middleware(policy)(limits(newMux()))
	do := func(token string) int {
		r := httptest.NewRequest(http.MethodGet, "/api/x", nil)
		r.RemoteAddr = "198.51.100.7:1234"
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	fromA := issA.Mint(authtest.Claims{"sub": "alice"})
	fromB := issB.Mint(authtest.Claims{"sub": "alice"})

	if got := do(fromA); got != http.StatusOK {
		t.Fatalf("alice@a: status %d, want 200", got)
	}
	if got := do(fromB); got != http.StatusOK {
		t.Fatalf("alice@b: status %d, want 200 (another issuer's alice has a bucket of her own)", got)
	}
	if got := do(fromA); got != http.StatusTooManyRequests {
		t.Fatalf("alice@a again: status %d, want 429", got)
	}
	if got := do(issA.Mint(authtest.Claims{"sub": "alice", "tenant_id": "t2"})); got != http.StatusOK {
		t.Fatalf("alice@a for tenant t2: status %d, want 200 (a bucket per tenant)", got)
	}
	// The Redis key holds neither the subject nor the issuer.
	keys, err := client.Keys(context.Background(), prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 3 {
		t.Fatalf("Redis keys %q, want 3 buckets", keys)
	}
	for _, k := range keys {
		rest := strings.TrimPrefix(k, prefix)
		if !strings.HasPrefix(rest, "users:user:") || len(rest) != len("users:user:")+32 {
			t.Fatalf("Redis key %q, want %susers:user:<32 hex digits>", k, prefix)
		}
	}
}
