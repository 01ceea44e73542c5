package ratelimit_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

type servingHealth struct {
	healthv1connect.UnimplementedHealthHandler
}

func (servingHealth) Check(context.Context, *connect.Request[healthv1.HealthCheckRequest]) (*connect.Response[healthv1.HealthCheckResponse], error) {
	return connect.NewResponse(&healthv1.HealthCheckResponse{Status: healthv1.HealthCheckResponse_SERVING}), nil
}

// newMux serves the health service (as a Connect procedure) and /api/ (plain JSON).
func newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle(healthv1connect.NewHealthHandler(servingHealth{}))
	mux.HandleFunc("/api/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	})
	return mux
}

func mustMiddleware(t *testing.T, l ratelimit.Limiter, rules ...ratelimit.Rule) func(http.Handler) http.Handler {
	t.Helper()
	return mustMiddlewareWith(t, l, nil, rules...)
}

func mustMiddlewareWith(t *testing.T, l ratelimit.Limiter, opts []ratelimit.Option, rules ...ratelimit.Rule) func(http.Handler) http.Handler {
	t.Helper()
	mw, err := ratelimit.Middleware(l, rules, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return mw
}

func TestMiddlewareJSON(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	mw := mustMiddlewareWith(t, ratelimit.NewLocal(ratelimit.WithClock(clock.Now)), []ratelimit.Option{ratelimit.WithHeadersOnAllowed(true)},
		ratelimit.Rule{Prefix: "/api/", Policy: ratelimit.Policy{Name: "api", Key: ratelimit.KeyIP, Limit: ratelimit.Limit{Rate: 60, Period: time.Minute, Burst: 2}}})
	h := mw(newMux())
	do := func(path string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.RemoteAddr = "198.51.100.1:1234"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	first := do("/api/x")
	if first.Code != 200 || first.Header().Get("RateLimit-Policy") != `"api";q=60;w=60` || first.Header().Get("RateLimit") != `"api";r=1;t=1` {
		t.Fatalf("first: %d %v", first.Code, first.Header())
	}
	if second := do("/api/x"); second.Code != 200 || second.Header().Get("RateLimit") != `"api";r=0;t=2` {
		t.Fatalf("second: %d %v", second.Code, second.Header())
	}
	third := do("/api/y")
	if third.Code != http.StatusTooManyRequests || third.Header().Get("Retry-After") != "1" || third.Header().Get("RateLimit") != `"api";r=0;t=1` {
		t.Fatalf("third: %d %v", third.Code, third.Header())
	}
	var body struct{ Code, Message string }
	if err := json.Unmarshal(third.Body.Bytes(), &body); err != nil || body.Code != "resource_exhausted" {
		t.Fatalf("body %s: %v", third.Body.String(), err)
	}
	// Paths matching no rule are not limited and carry no headers.
	if other := do(healthv1connect.HealthCheckProcedure); other.Code == http.StatusTooManyRequests || other.Header().Get("RateLimit") != "" {
		t.Fatalf("unruled path: %d %v", other.Code, other.Header())
	}
}

func TestMiddlewareConnect(t *testing.T) {
	t.Parallel()
	client, prefix := newRedis(t)
	clock := newFakeClock()
	l, err := ratelimit.NewRedis(ratelimit.RedisConfig{Timeout: testTimeout, Client: client, Prefix: prefix, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	mw := mustMiddleware(t, l, ratelimit.Rule{
		Prefix: "/grpc.health.v1.Health/",
		Policy: ratelimit.Policy{Name: "health", Key: ratelimit.KeyIP, Limit: ratelimit.Limit{Rate: 1, Period: 10 * time.Second, Burst: 1}},
	})
	srv := httptest.NewUnstartedServer(mw(newMux()))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	for _, proto := range []struct {
		name string
		opt  []connect.ClientOption
	}{{"connect", nil}, {"grpc", []connect.ClientOption{connect.WithGRPC()}}, {"grpcweb", []connect.ClientOption{connect.WithGRPCWeb()}}} {
		hc := healthv1connect.NewHealthClient(srv.Client(), srv.URL, proto.opt...)
		if _, err := hc.Check(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{})); err != nil {
			t.Fatalf("%s: first call: %v", proto.name, err)
		}
		_, err := hc.Check(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{}))
		d := errs.From(err)
		if d.Code != connect.CodeResourceExhausted || !d.HasRetryAfter || d.RetryAfter != 10*time.Second || d.Reason != "RATE_LIMITED" {
			t.Fatalf("%s: second call: %+v; want ResourceExhausted with RetryInfo 10s", proto.name, d)
		}
		clock.Advance(10 * time.Second)
	}
}

func TestKeys(t *testing.T) {
	t.Parallel()
	base := func() *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = "192.0.2.1:5555"
		return r
	}
	withPrincipal := func(p *commonv1.Principal) *http.Request {
		r := base()
		return r.WithContext(identity.WithPrincipal(r.Context(), p))
	}
	withMD := base()
	withMD = withMD.WithContext(identity.WithRequestMetadata(withMD.Context(), &commonv1.RequestMetadata{ClientIp: "203.0.113.5"}))
	// A key in a header that auth did not verify counts by IP; a verified one by a
	// hash of its Principal's subject.
	withKey := base()
	withKey.Header.Set("X-Api-Key", "fk_live_secret")
	verifiedKey := withPrincipal(&commonv1.Principal{Subject: "apikey:live", TenantId: "t1", AuthMethod: commonv1.AuthMethod_AUTH_METHOD_API_KEY})
	jwtCaller := withPrincipal(&commonv1.Principal{Subject: "apikey:live", AuthMethod: commonv1.AuthMethod_AUTH_METHOD_OIDC})
	tests := []struct {
		name string
		r    *http.Request
		kind ratelimit.KeyKind
		want string
	}{
		{"ip from peer", base(), ratelimit.KeyIP, "ip:192.0.2.1"},
		{"ip from metadata", withMD, ratelimit.KeyIP, "ip:203.0.113.5"},
		{"tenant", withPrincipal(&commonv1.Principal{TenantId: "t1", UserId: "u1"}), ratelimit.KeyTenant, "tenant:t1"},
		{"no tenant falls back to ip", withPrincipal(&commonv1.Principal{UserId: "u1"}), ratelimit.KeyTenant, "ip:192.0.2.1"},
		{"user hashed", withPrincipal(&commonv1.Principal{Subject: "svc-1", TenantId: "t1", UserId: "u1", Issuer: "https://id.example"}), ratelimit.KeyUser, "user:"},
		{"user from user id", withPrincipal(&commonv1.Principal{TenantId: "t1", UserId: "u1"}), ratelimit.KeyUser, "user:"},
		{"anonymous user", base(), ratelimit.KeyUser, "ip:192.0.2.1"},
		{"api key hashed", verifiedKey, ratelimit.KeyAPIKey, "api_key:"},
		{"unverified api key header counts by ip", withKey, ratelimit.KeyAPIKey, "ip:192.0.2.1"},
		{"jwt caller counts by ip", jwtCaller, ratelimit.KeyAPIKey, "ip:192.0.2.1"},
		{"no api key", base(), ratelimit.KeyAPIKey, "ip:192.0.2.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ratelimit.Key(tc.r, tc.kind, "X-Api-Key")
			hashed := tc.want == "api_key:" || tc.want == "user:"
			if !strings.HasPrefix(got, tc.want) || (!hashed && got != tc.want) || (hashed && len(got) != len(tc.want)+32) {
				t.Fatalf("Key = %q, want %q", got, tc.want)
			}
			if strings.Contains(got, "secret") || strings.Contains(got, "live") || strings.Contains(got, "svc-1") || strings.Contains(got, "u1") {
				t.Fatalf("key %q holds a credential or claim as sent", got)
			}
		})
	}
}

func TestMiddlewareRejectsBadRules(t *testing.T) {
	t.Parallel()
	_, err := ratelimit.Middleware(ratelimit.NewLocal(), []ratelimit.Rule{
		{Prefix: "api", Policy: ratelimit.Policy{Name: "a", Limit: ratelimit.PerSecond(1)}},
		{Prefix: "/b", Policy: ratelimit.Policy{Name: "bad name", Limit: ratelimit.PerSecond(1)}},
		{Prefix: "/c", Policy: ratelimit.Policy{Name: "c", Limit: ratelimit.Limit{}}},
	})
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"rule 0", "rule 1", "rule 2"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not report %s", err, want)
		}
	}
}

// TestPolicyNamesCannotShareKeys: ':' separates the parts of a limiter key, so policy
// "x:tenant" counting by IP could count in the same bucket as policy "x" for a tenant
// named "ip:…". Both constructors refuse such names, and empty ones, naming the policy.
func TestPolicyNamesCannotShareKeys(t *testing.T) {
	t.Parallel()
	constructors := map[string]func([]ratelimit.Rule) error{
		"Middleware": func(rules []ratelimit.Rule) error {
			_, err := ratelimit.Middleware(ratelimit.NewLocal(), rules)
			return err
		},
		"NewInterceptor": func(rules []ratelimit.Rule) error {
			_, err := ratelimit.NewInterceptor(ratelimit.NewLocal(), rules)
			return err
		},
	}
	for cname, construct := range constructors {
		for _, tc := range []struct {
			name string
			want string // in the error
		}{
			{"x:tenant", `"x:tenant"`},
			{":", `":"`},
			{"adr:", `"adr:"`},
			{"", "policy name is empty"},
		} {
			t.Run(cname+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				err := construct([]ratelimit.Rule{
					{Prefix: "/ok/", Policy: ratelimit.Policy{Name: "x", Key: ratelimit.KeyTenant, Limit: ratelimit.PerSecond(1)}},
					{Prefix: "/bad/", Policy: ratelimit.Policy{Name: tc.name, Key: ratelimit.KeyIP, Limit: ratelimit.PerSecond(1)}},
				})
				if err == nil {
					t.Fatalf("policy name %q accepted", tc.name)
				}
				if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "rule 1") {
					t.Fatalf("error %q does not name rule 1's policy (%s)", err, tc.want)
				}
			})
		}
	}
}

// TestSharedLimitAcrossInstances runs three servers, each with its own Redis client
// and limiter, against one Redis, and checks they hold one global limit.
func TestSharedLimitAcrossInstances(t *testing.T) {
	t.Parallel()
	const limit = 200
	_, prefix := newRedis(t)
	policy := ratelimit.Policy{Name: "global", Key: ratelimit.KeyTenant, Limit: ratelimit.Limit{Rate: limit, Period: time.Hour}}
	var urls []string
	for range 3 {
		client, _ := newRedis(t)
		l, err := ratelimit.NewRedis(ratelimit.RedisConfig{Timeout: testTimeout, Client: client, Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		mw := mustMiddleware(t, l, ratelimit.Rule{Prefix: "/api/", Policy: policy})
		tenant := func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ctx := identity.WithPrincipal(r.Context(), &commonv1.Principal{TenantId: r.Header.Get("X-Tenant")})
				next.ServeHTTP(w, r.WithContext(ctx))
			})
		}
		srv := httptest.NewServer(tenant(mw(newMux())))
		t.Cleanup(srv.Close)
		urls = append(urls, srv.URL)
	}
	var allowed, refused atomic.Int64
	var wg sync.WaitGroup
	for w := range 12 {
		wg.Go(func() {
			for i := range 50 {
				req, _ := http.NewRequest(http.MethodGet, urls[(w+i)%3]+"/api/x", nil)
				req.Header.Set("X-Tenant", "acme")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				_ = res.Body.Close()
				switch res.StatusCode {
				case http.StatusOK:
					allowed.Add(1)
				case http.StatusTooManyRequests:
					refused.Add(1)
				default:
					t.Errorf("status %d", res.StatusCode)
				}
			}
		})
	}
	wg.Wait()
	http.DefaultClient.CloseIdleConnections()
	if a := allowed.Load(); a < limit*95/100 || a > limit*105/100 || a+refused.Load() != 600 {
		t.Fatalf("allowed %d, refused %d of 600; want %d ±5%% allowed", a, refused.Load(), limit)
	}
}
