package ratelimit_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// TestAPIKeyLimitCountsOnlyVerifiedKeys runs auth's middleware in front of a KeyAPIKey
// policy on a public route, as the chain does. A forged X-Api-Key is refused by auth
// but, the route being public, the request goes on: it must be counted by its IP, or
// a new made-up key per request would get a fresh bucket every time and no limit
// would ever hold. A real key counts in its own bucket however it is presented.
func TestAPIKeyLimitCountsOnlyVerifiedKeys(t *testing.T) {
	t.Parallel()
	store := &auth.MemoryAPIKeyStore{}
	presented, stored, err := auth.NewAPIKey("", "t1", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	store.Put(stored)
	a, err := auth.New(auth.Config{APIKeys: store})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	policy, err := auth.NewPolicy(map[string]auth.Rule{"/api/*": auth.Public()})
	if err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock()
	limits := mustMiddleware(t, ratelimit.NewLocal(ratelimit.WithClock(clock.Now)),
		ratelimit.Rule{Prefix: "/api/", Policy: ratelimit.Policy{Name: "keys", Key: ratelimit.KeyAPIKey, Limit: ratelimit.Limit{Rate: 1, Period: time.Minute}}})
	h := a.Middleware(policy)(limits(newMux()))
	do := func(header, value string) int {
		r := httptest.NewRequest(http.MethodGet, "/api/x", nil)
		r.RemoteAddr = "198.51.100.7:1234"
		r.Header.Set(header, value)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}

	if got := do("X-Api-Key", "fk_forged1_aaaa"); got != http.StatusOK {
		t.Fatalf("first forged key: status %d, want 200 (the IP's one request)", got)
	}
	if got := do("X-Api-Key", "fk_forged2_bbbb"); got != http.StatusTooManyRequests {
		t.Fatalf("second forged key from the same IP: status %d, want 429 (an unverified key must not buy a new bucket)", got)
	}

	if got := do("X-Api-Key", presented); got != http.StatusOK {
		t.Fatalf("real key: status %d, want 200 (its own bucket)", got)
	}
	if got := do("Authorization", "Bearer "+presented); got != http.StatusTooManyRequests {
		t.Fatalf("real key again, as a bearer token: status %d, want 429 (same key, same bucket)", got)
	}
}
