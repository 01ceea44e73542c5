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
		fmt.Println(rec.Code, rec.Header().Get("Retry-After"), rec.Header().Get("RateLimit"))
	}
	// Output:
	// 200  "ai";r=0;t=60
	// 429 60 "ai";r=0;t=60
}
