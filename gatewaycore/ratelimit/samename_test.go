package ratelimit_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// TestOnePolicyNameOneLimit: a policy's name is its part of the limiter key, so two
// rules naming the same policy count in the same buckets — what a shared policy is
// for. Two rules giving one name different limits made the buckets run under two
// interval/burst pairs at once: here /b/'s 1 per hour ran /a/'s 100 per second dry
// (and /a/ then refused for most of an hour). Construction now refuses it.
func TestOnePolicyNameOneLimit(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	rules := []ratelimit.Rule{
		{Prefix: "/a/", Policy: ratelimit.Policy{Name: "api", Key: ratelimit.KeyIP, Limit: ratelimit.PerSecond(100)}},
		{Prefix: "/b/", Policy: ratelimit.Policy{Name: "api", Key: ratelimit.KeyIP, Limit: ratelimit.Limit{Rate: 1, Period: time.Hour}}},
	}
	mw, err := ratelimit.Middleware(ratelimit.NewLocal(ratelimit.WithClock(clock.Now)), rules)
	if err == nil {
		h := mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		do := func(path string) int {
			r := httptest.NewRequest(http.MethodGet, path, nil)
			r.RemoteAddr = "192.0.2.1:1"
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			return rec.Code
		}
		do("/b/x")
		t.Fatalf("accepted; after one /b/ request, /a/ answers %d, and keeps refusing", do("/a/x"))
	}
	if !strings.Contains(err.Error(), `"api"`) || !strings.Contains(err.Error(), "rule 1") {
		t.Fatalf("error %q does not name the policy and the rule", err)
	}
	if _, err := ratelimit.NewInterceptor(ratelimit.NewLocal(), rules); err == nil {
		t.Fatal("NewInterceptor accepted one name with two limits")
	}
	// The same policy on several prefixes is one shared budget, and fine.
	shared := ratelimit.Policy{Name: "api", Key: ratelimit.KeyIP, Limit: ratelimit.PerSecond(100)}
	if _, err := ratelimit.Middleware(ratelimit.NewLocal(), []ratelimit.Rule{{Prefix: "/a/", Policy: shared}, {Prefix: "/b/", Policy: shared}}); err != nil {
		t.Fatalf("a policy shared by two prefixes: %v", err)
	}
}

// TestDuplicatePrefixIsRefused: of two rules with the same prefix only the first
// was ever applied (longest prefix wins, and neither is longer), so the second
// policy silently limited nothing. Construction now refuses it.
func TestDuplicatePrefixIsRefused(t *testing.T) {
	t.Parallel()
	rules := []ratelimit.Rule{
		{Prefix: "/api/", Policy: ratelimit.Policy{Name: "per-tenant", Key: ratelimit.KeyTenant, Limit: ratelimit.PerSecond(100)}},
		{Prefix: "/api/", Policy: ratelimit.Policy{Name: "per-ip", Key: ratelimit.KeyIP, Limit: ratelimit.PerSecond(10)}},
	}
	_, err := ratelimit.Middleware(ratelimit.NewLocal(), rules)
	if err == nil || !strings.Contains(err.Error(), "rule 1") || !strings.Contains(err.Error(), `"/api/"`) {
		t.Fatalf("Middleware: %v; want rule 1's duplicate prefix reported", err)
	}
	if _, err := ratelimit.NewInterceptor(ratelimit.NewLocal(), rules); err == nil {
		t.Fatal("NewInterceptor accepted a duplicate prefix")
	}
}
