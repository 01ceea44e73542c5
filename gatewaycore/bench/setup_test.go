package bench_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"connectrpc.com/connect"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/footingdev/footing/contracts/errs"
	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
	"github.com/footingdev/footing/gatewaycore/chain"
	"github.com/footingdev/footing/gatewaycore/cors"
	"github.com/footingdev/footing/gatewaycore/edge"
	"github.com/footingdev/footing/gatewaycore/ratelimit"
	"github.com/footingdev/footing/observability/instrument"
	"github.com/footingdev/footing/observability/logging"
)

const origin = "https://app.example.com"

type servingHealth struct {
	healthv1connect.UnimplementedHealthHandler
}

func (servingHealth) Check(context.Context, *connect.Request[healthv1.HealthCheckRequest]) (*connect.Response[healthv1.HealthCheckResponse], error) {
	return connect.NewResponse(&healthv1.HealthCheckResponse{Status: healthv1.HealthCheckResponse_SERVING}), nil
}

// bareHandler is the baseline: a connect-go unary handler on a mux, nothing else.
func bareHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(healthv1connect.NewHealthHandler(servingHealth{}, connect.WithInterceptors(errs.NewInterceptor())))
	return mux
}

type fixture struct {
	handler  http.Handler
	chain    chain.Chain
	token    string
	spans    *sdktrace.TracerProvider
	meters   *sdkmetric.MeterProvider
	reader   *sdkmetric.ManualReader
	recorder *spanCounter
}

// spanCounter counts ended spans.
type spanCounter struct{ n int }

func (s *spanCounter) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (s *spanCounter) OnEnd(sdktrace.ReadOnlySpan)                     { s.n++ }
func (s *spanCounter) Shutdown(context.Context) error                  { return nil }
func (s *spanCounter) ForceFlush(context.Context) error                { return nil }

// fullChain builds the whole edge in front of bareHandler, with real tracing and
// metrics SDKs, an access log (discarded after formatting), CORS, auth against an
// in-process OIDC issuer, and an in-process rate limit per tenant.
func fullChain(tb testing.TB, limit ratelimit.Limit, accessLog io.Writer) *fixture {
	tb.Helper()
	iss := authtest.NewIssuer()
	tb.Cleanup(iss.Close)
	a, err := auth.New(auth.Config{Issuers: []auth.IssuerConfig{iss.Config("bench")}, HTTPClient: iss.Client()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(a.Close)
	policy, err := auth.NewPolicy(map[string]auth.Rule{healthv1connect.HealthCheckProcedure: auth.Authenticated()})
	if err != nil {
		tb.Fatal(err)
	}
	c, err := cors.New(cors.WithAllowedOrigins(origin), cors.WithCredentials())
	if err != nil {
		tb.Fatal(err)
	}
	rl, err := ratelimit.Middleware(ratelimit.NewLocal(ratelimit.WithClock(fixedNow)), []ratelimit.Rule{{
		Prefix: "/grpc.health.v1.Health/", Policy: ratelimit.Policy{Name: "health", Key: ratelimit.KeyTenant, Limit: limit},
	}})
	if err != nil {
		tb.Fatal(err)
	}
	counter := &spanCounter{}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithSpanProcessor(counter))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	tb.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	// The access line goes through footing's own handler, the one observability.Setup
	// installs as slog's default (a service's instrument.Middleware logs there).
	logger := slog.New(logging.NewHandler(accessLog, nil))
	c2 := chain.Chain{
		Recover:   edge.Recover(),
		Metadata:  edge.Metadata(),
		Trace:     instrument.Middleware(instrument.WithTracerProvider(tp), instrument.WithMeterProvider(mp), instrument.WithLogger(logger), instrument.WithAccessLog(true)),
		CORS:      c.Middleware(),
		BodyLimit: edge.BodyLimit(1 << 20),
		Auth:      a.Middleware(policy),
		RateLimit: rl,
		Timeout:   edge.Timeouts(edge.RouteTimeouts{Default: 30 * time.Second}),
	}
	h := c2.Then(bareHandler())
	token := iss.Mint(authtest.Claims{"aud": "bench", "sub": "ada", "tenant_id": "t-1"})
	return &fixture{handler: h, chain: c2, token: token, spans: tp, meters: mp, reader: reader, recorder: counter}
}

var checkBody = []byte(`{}`)

// newCheck returns a browser-like Connect unary request for Health/Check.
func newCheck(token string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, healthv1connect.HealthCheckProcedure, bytes.NewReader(checkBody))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Connect-Protocol-Version", "1")
	r.Header.Set("Origin", origin)
	r.RemoteAddr = "198.51.100.7:40000"
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return r
}

// testTimeout bounds Redis calls: generous, so a loaded machine never degrades a decision.
const testTimeout = 10 * time.Second

// fixedNow is the rate limiter's clock in these tests and benchmarks: time stands
// still, so the RateLimit and Retry-After values are exact however slow the machine.
func fixedNow() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
