package chain_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/chain"
	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// TestPreAuthRateLimitRunsBeforeAuth: a caller over its per-IP budget is refused
// before its credential is looked at, so a flood of forged tokens costs the edge a
// bucket lookup each, not a signature check; within budget, auth still decides.
func TestPreAuthRateLimitRunsBeforeAuth(t *testing.T) {
	t.Parallel()
	ipLimit, err := ratelimit.Middleware(ratelimit.NewLocal(), []ratelimit.Rule{{
		Prefix: "/",
		Policy: ratelimit.Policy{Name: "ip", Key: ratelimit.KeyIP, Limit: ratelimit.Limit{Rate: 1, Period: time.Hour, Burst: 2}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var verified atomic.Int64
	auth := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			verified.Add(1) // a signature check
			if r.Header.Get("Authorization") != "Bearer good" {
				http.Error(w, "unauthenticated", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	h := chain.Chain{PreAuthRateLimit: ipLimit, Auth: auth}.ThenFunc(func(http.ResponseWriter, *http.Request) {})
	do := func(peer, token string) int {
		r := httptest.NewRequest(http.MethodPost, "/pkg.Svc/Method", nil)
		r.RemoteAddr = peer
		r.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Code
	}
	if got := do("192.0.2.1:1", "forged-1"); got != http.StatusUnauthorized {
		t.Fatalf("first forged token: %d, want 401 from auth", got)
	}
	if got := do("192.0.2.1:1", "good"); got != http.StatusOK {
		t.Fatalf("good token within budget: %d", got)
	}
	for i := range 100 {
		if got := do("192.0.2.1:1", "forged"); got != http.StatusTooManyRequests {
			t.Fatalf("forged token %d over budget: %d, want 429", i, got)
		}
	}
	if n := verified.Load(); n != 2 {
		t.Fatalf("auth ran %d times, want 2: the refused requests reached it", n)
	}
	// Another address has its own budget.
	if got := do("192.0.2.2:1", "good"); got != http.StatusOK {
		t.Fatalf("other address: %d", got)
	}
}
