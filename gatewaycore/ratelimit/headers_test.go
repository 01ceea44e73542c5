package ratelimit_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"connectrpc.com/connect"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/footingdev/footing/contracts/errs"
	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// TestHeadersOnRefusalsByDefault: without WithHeadersOnAllowed, an allowed response
// carries neither RateLimit header (it discloses no policy and no remaining quota),
// and a refusal carries both, with Retry-After; with WithHeadersOnAllowed(true) every
// decided response carries them.
func TestHeadersOnRefusalsByDefault(t *testing.T) {
	t.Parallel()
	rule := ratelimit.Rule{Prefix: "/api/", Policy: ratelimit.Policy{Name: "api", Key: ratelimit.KeyIP,
		Limit: ratelimit.Limit{Rate: 60, Period: time.Minute, Burst: 1}}}
	for _, tc := range []struct {
		name        string
		opts        []ratelimit.Option
		wantAllowed [2]string // RateLimit, RateLimit-Policy on the allowed response
	}{
		{"default", nil, [2]string{"", ""}},
		{"WithHeadersOnAllowed(false)", []ratelimit.Option{ratelimit.WithHeadersOnAllowed(false)}, [2]string{"", ""}},
		{"WithHeadersOnAllowed(true)", []ratelimit.Option{ratelimit.WithHeadersOnAllowed(true)}, [2]string{`"api";r=0;t=1`, `"api";q=60;w=60`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := mustMiddlewareWith(t, ratelimit.NewLocal(ratelimit.WithClock(newFakeClock().Now)), tc.opts, rule)(newMux())
			do := func() *httptest.ResponseRecorder {
				r := httptest.NewRequest(http.MethodGet, "/api/x", nil)
				r.RemoteAddr = "198.51.100.1:1234"
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				return rec
			}
			allowed := do()
			if allowed.Code != http.StatusOK {
				t.Fatalf("first request: %d", allowed.Code)
			}
			if got := [2]string{allowed.Header().Get("RateLimit"), allowed.Header().Get("RateLimit-Policy")}; got != tc.wantAllowed {
				t.Errorf("allowed response: RateLimit, RateLimit-Policy = %q, want %q", got, tc.wantAllowed)
			}
			refused := do()
			if refused.Code != http.StatusTooManyRequests {
				t.Fatalf("second request: %d", refused.Code)
			}
			if got, want := [3]string{refused.Header().Get("Retry-After"), refused.Header().Get("RateLimit"), refused.Header().Get("RateLimit-Policy")},
				[3]string{"1", `"api";r=0;t=1`, `"api";q=60;w=60`}; got != want {
				t.Errorf("refusal: Retry-After, RateLimit, RateLimit-Policy = %q, want %q", got, want)
			}
		})
	}
}

// TestInterceptorHeadersOnRefusalsByDefault: the interceptor follows the same default.
func TestInterceptorHeadersOnRefusalsByDefault(t *testing.T) {
	t.Parallel()
	ic, err := ratelimit.NewInterceptor(ratelimit.NewLocal(ratelimit.WithClock(newFakeClock().Now)), []ratelimit.Rule{
		{Prefix: healthv1connect.HealthCheckProcedure, Policy: ratelimit.Policy{Name: "check", Key: ratelimit.KeyTenant,
			Limit: ratelimit.Limit{Rate: 1, Period: time.Minute, Burst: 1}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(healthv1connect.NewHealthHandler(watchingHealth{}, connect.WithInterceptors(tenantFromHeader{}, ic)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	client := healthv1connect.NewHealthClient(srv.Client(), srv.URL)
	req := connect.NewRequest(&healthv1.HealthCheckRequest{})
	req.Header().Set("X-Tenant", "acme")
	res, err := client.Check(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Header().Get("RateLimit") + res.Header().Get("RateLimit-Policy"); got != "" {
		t.Errorf("allowed call carries RateLimit headers %q", got)
	}
	_, err = client.Check(context.Background(), req)
	var cerr *connect.Error
	if !errors.As(err, &cerr) || cerr.Code() != connect.CodeResourceExhausted {
		t.Fatalf("second call: %v", err)
	}
	if d := errs.From(err); d.RetryAfter != time.Minute {
		t.Errorf("RetryAfter %v", d.RetryAfter)
	}
	if got, want := cerr.Meta().Get("RateLimit"), `"check";r=0;t=60`; got != want {
		t.Errorf("refusal RateLimit %q, want %q", got, want)
	}
	if got, want := cerr.Meta().Get("RateLimit-Policy"), `"check";q=1;w=60`; got != want {
		t.Errorf("refusal RateLimit-Policy %q, want %q", got, want)
	}
}
