package ratelimit_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

func ExampleLocal() {
	l := ratelimit.NewLocal()
	limit := ratelimit.Limit{Rate: 10, Period: time.Minute, Burst: 2}
	for range 3 {
		d, _ := l.Allow(context.Background(), "tenant:acme", limit)
		fmt.Println(d.Allowed, d.Remaining)
	}
	// Output:
	// true 1
	// true 0
	// false 0
}

// A flood of new keys — here 5000 addresses — meets the cap: every new key is
// decided (and allowed, as new keys are), and Local holds 1024 of them, 1000
// rounded up to its 64 shards. Each key past the cap evicted the live entry
// closest to expiry, counted in footing.ratelimit.local.evictions.
func ExampleWithMaxKeys() {
	l := ratelimit.NewLocal(ratelimit.WithMaxKeys(1000))
	allowed := 0
	for i := range 5000 {
		d, _ := l.Allow(context.Background(), fmt.Sprintf("ip:2001:db8:%x::", i), ratelimit.PerMinute(60))
		if d.Allowed {
			allowed++
		}
	}
	fmt.Println(allowed, l.Len())
	// Output:
	// 5000 1024
}

func ExampleMiddleware() {
	mw, err := ratelimit.Middleware(ratelimit.NewLocal(), []ratelimit.Rule{{
		Prefix: "/footing.ai.v1.AIGatewayService/",
		Policy: ratelimit.Policy{Name: "ai", Key: ratelimit.KeyTenant, Limit: ratelimit.Limit{Rate: 1, Period: time.Minute}},
	}})
	if err != nil {
		panic(err)
	}
	h := mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for range 2 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/footing.ai.v1.AIGatewayService/Complete", nil))
		fmt.Printf("%d Retry-After=%q RateLimit=%q\n", rec.Code, rec.Header().Get("Retry-After"), rec.Header().Get("RateLimit"))
	}
	// Output:
	// 200 Retry-After="" RateLimit=""
	// 429 Retry-After="60" RateLimit="\"ai\";r=0;t=60"
}

// With WithHeadersOnAllowed(true), allowed responses tell the client its remaining
// quota too.
func ExampleWithHeadersOnAllowed() {
	mw, err := ratelimit.Middleware(ratelimit.NewLocal(), []ratelimit.Rule{{
		Prefix: "/api/",
		Policy: ratelimit.Policy{Name: "api", Key: ratelimit.KeyIP, Limit: ratelimit.Limit{Rate: 2, Period: time.Minute}},
	}}, ratelimit.WithHeadersOnAllowed(true))
	if err != nil {
		panic(err)
	}
	h := mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for range 3 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/orders", nil))
		fmt.Println(rec.Code, rec.Header().Get("RateLimit"), rec.Header().Get("RateLimit-Policy"))
	}
	// Output:
	// 200 "api";r=1;t=30 "api";q=2;w=60
	// 200 "api";r=0;t=60 "api";q=2;w=60
	// 429 "api";r=0;t=30 "api";q=2;w=60
}

// IPv6 callers are counted per /64 by default: two addresses of one subscriber's
// network share a bucket, another network has its own. Policy.IPv6Prefix changes
// the network size (128 counts each address).
func ExamplePolicy_iPv6Prefix() {
	mw, err := ratelimit.Middleware(ratelimit.NewLocal(), []ratelimit.Rule{{
		Prefix: "/api/",
		Policy: ratelimit.Policy{Name: "api", Key: ratelimit.KeyIP, Limit: ratelimit.Limit{Rate: 1, Period: time.Minute}},
	}})
	if err != nil {
		panic(err)
	}
	h := mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, peer := range []string{"[2001:db8:1:2::1]:443", "[2001:db8:1:2::99]:443", "[2001:db8:1:3::1]:443"} {
		r := httptest.NewRequest(http.MethodGet, "/api/orders", nil)
		r.RemoteAddr = peer
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		fmt.Println(peer, rec.Code, ratelimit.Key(r, ratelimit.KeyIP, ""))
	}
	// Output:
	// [2001:db8:1:2::1]:443 200 ip:2001:db8:1:2::/64
	// [2001:db8:1:2::99]:443 429 ip:2001:db8:1:2::/64
	// [2001:db8:1:3::1]:443 200 ip:2001:db8:1:3::/64
}
