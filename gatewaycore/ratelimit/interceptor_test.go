package ratelimit_test

import (
	"context"
	"net/http"
	"net/http/httptest"
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

type watchingHealth struct{ servingHealth }

func (watchingHealth) Watch(_ context.Context, _ *connect.Request[healthv1.HealthCheckRequest], s *connect.ServerStream[healthv1.HealthCheckResponse]) error {
	return s.Send(&healthv1.HealthCheckResponse{Status: healthv1.HealthCheckResponse_SERVING})
}

// tenantFromHeader stands in for auth's interceptor: it sets the Principal from a header.
type tenantFromHeader struct{}

func (tenantFromHeader) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		return next(identity.WithPrincipal(ctx, &commonv1.Principal{TenantId: req.Header().Get("X-Tenant")}), req)
	}
}

func (tenantFromHeader) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (tenantFromHeader) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		return next(identity.WithPrincipal(ctx, &commonv1.Principal{TenantId: conn.RequestHeader().Get("X-Tenant")}), conn)
	}
}

func TestInterceptorUnaryAndStreaming(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	limit := ratelimit.Limit{Rate: 1, Period: time.Minute, Burst: 2}
	ic, err := ratelimit.NewInterceptor(ratelimit.NewLocal(ratelimit.WithClock(clock.Now)), []ratelimit.Rule{
		{Prefix: healthv1connect.HealthCheckProcedure, Policy: ratelimit.Policy{Name: "check", Key: ratelimit.KeyTenant, Limit: limit}},
		{Prefix: healthv1connect.HealthWatchProcedure, Policy: ratelimit.Policy{Name: "watch", Key: ratelimit.KeyTenant, Limit: limit}},
	}, ratelimit.WithHeadersOnAllowed(true))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(healthv1connect.NewHealthHandler(watchingHealth{}, connect.WithInterceptors(tenantFromHeader{}, ic)))
	srv := httptest.NewUnstartedServer(mux)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	client := healthv1connect.NewHealthClient(srv.Client(), srv.URL, connect.WithGRPC())
	ctx := context.Background()

	check := func(tenant string) (*connect.Response[healthv1.HealthCheckResponse], error) {
		req := connect.NewRequest(&healthv1.HealthCheckRequest{})
		req.Header().Set("X-Tenant", tenant)
		return client.Check(ctx, req)
	}
	for i := range 2 {
		res, err := check("acme")
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if got := res.Header().Get("RateLimit"); got != `"check";r=`+[]string{"1", "0"}[i]+`;t=`+[]string{"60", "120"}[i] {
			t.Fatalf("call %d RateLimit = %q", i, got)
		}
	}
	_, err = check("acme")
	if d := errs.From(err); d.Code != connect.CodeResourceExhausted || d.RetryAfter != time.Minute {
		t.Fatalf("third call: %+v", d)
	}
	if _, err := check("globex"); err != nil {
		t.Fatalf("another tenant has its own budget: %v", err)
	}

	watch := func() error {
		req := connect.NewRequest(&healthv1.HealthCheckRequest{})
		req.Header().Set("X-Tenant", "acme")
		stream, err := client.Watch(ctx, req)
		if err != nil {
			return err
		}
		defer stream.Close()
		for stream.Receive() {
		}
		return stream.Err()
	}
	for i := range 2 {
		if err := watch(); err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
	}
	if d := errs.From(watch()); d.Code != connect.CodeResourceExhausted || d.RetryAfter != time.Minute || d.Reason != "RATE_LIMITED" {
		t.Fatalf("third stream: %+v", d)
	}
}
