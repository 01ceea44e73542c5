package ratelimit_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// TestPolicyHeaderNeverPromisesMore: RateLimit-Policy's window is whole seconds,
// and a Period that is not was truncated — 100 per 1.5 s was advertised as 100 per
// second, so a client pacing itself by the header ran into 429s. The window is now
// rounded up, which advertises at most the real rate.
func TestPolicyHeaderNeverPromisesMore(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		limit ratelimit.Limit
		want  string
	}{
		{ratelimit.Limit{Rate: 100, Period: 1500 * time.Millisecond}, `"p";q=100;w=2`},
		{ratelimit.Limit{Rate: 5, Period: 500 * time.Millisecond}, `"p";q=5;w=1`},
		{ratelimit.Limit{Rate: 60, Period: time.Minute}, `"p";q=60;w=60`},
		{ratelimit.Limit{Rate: 10, Period: time.Minute + time.Millisecond}, `"p";q=10;w=61`},
	} {
		mw, err := ratelimit.Middleware(ratelimit.NewLocal(), []ratelimit.Rule{{Prefix: "/", Policy: ratelimit.Policy{Name: "p", Limit: tc.limit}}},
			ratelimit.WithHeadersOnAllowed(true))
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		mw(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		if got := rec.Header().Get("RateLimit-Policy"); got != tc.want {
			t.Errorf("%+v: RateLimit-Policy %q, want %q", tc.limit, got, tc.want)
		}
	}
}
