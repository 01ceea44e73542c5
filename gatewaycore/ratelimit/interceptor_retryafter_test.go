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

	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// TestInterceptorRefusalCarriesRetryAfter: a refusal by the interceptor carries
// Retry-After, as one by the middleware does — over the Connect protocol a unary
// refusal is an HTTP 429, and a client pacing itself by Retry-After must not read
// its absence as "retry now". A streaming refusal carries it too.
func TestInterceptorRefusalCarriesRetryAfter(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	limit := ratelimit.Limit{Rate: 1, Period: time.Minute, Burst: 1}
	ic, err := ratelimit.NewInterceptor(ratelimit.NewLocal(ratelimit.WithClock(clock.Now)), []ratelimit.Rule{
		{Prefix: "/grpc.health.v1.Health/", Policy: ratelimit.Policy{Name: "health", Key: ratelimit.KeyIP, Limit: limit}},
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(healthv1connect.NewHealthHandler(watchingHealth{}, connect.WithInterceptors(ic)))
	srv := httptest.NewUnstartedServer(mux)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ctx := context.Background()

	for _, proto := range []struct {
		name string
		opts []connect.ClientOption
	}{{"connect", nil}, {"grpc", []connect.ClientOption{connect.WithGRPC()}}} {
		client := healthv1connect.NewHealthClient(srv.Client(), srv.URL, proto.opts...)
		// Each protocol gets a fresh minute: the bucket is the client's IP.
		clock.Advance(time.Hour)
		if _, err := client.Check(ctx, connect.NewRequest(&healthv1.HealthCheckRequest{})); err != nil {
			t.Fatalf("%s: first call: %v", proto.name, err)
		}
		_, err := client.Check(ctx, connect.NewRequest(&healthv1.HealthCheckRequest{}))
		var cerr *connect.Error
		if !errors.As(err, &cerr) || cerr.Code() != connect.CodeResourceExhausted {
			t.Fatalf("%s: second call: %v, want ResourceExhausted", proto.name, err)
		}
		if got := cerr.Meta().Get("Retry-After"); got != "60" {
			t.Errorf("%s: unary refusal Retry-After = %q, want \"60\" (RateLimit %q)", proto.name, got, cerr.Meta().Get("RateLimit"))
		}

		stream, err := client.Watch(ctx, connect.NewRequest(&healthv1.HealthCheckRequest{}))
		if err == nil {
			for stream.Receive() {
			}
			err = stream.Err()
			_ = stream.Close()
		}
		if !errors.As(err, &cerr) || cerr.Code() != connect.CodeResourceExhausted {
			t.Fatalf("%s: stream: %v, want ResourceExhausted", proto.name, err)
		}
		if got := cerr.Meta().Get("Retry-After"); got != "60" {
			t.Errorf("%s: stream refusal Retry-After = %q, want \"60\"", proto.name, got)
		}
	}
}
