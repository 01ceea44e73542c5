package ratelimit_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/footingdev/footing/gatewaycore/ratelimit"
	"github.com/footingdev/footing/observability/semconv"
)

// throwawayRedis starts a redis-server on a free port and returns a client for it
// and a function that kills the server.
func throwawayRedis(t *testing.T) (*redis.Client, func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	cmd := exec.Command("redis-server", "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		t.Fatalf("redis-server: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	kill := func() {
		_ = cmd.Process.Kill()
		<-done
	}
	t.Cleanup(kill)
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprint("127.0.0.1:", port), MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { _ = c.Close() })
	for i := 0; ; i++ {
		if err := c.Ping(context.Background()).Err(); err == nil {
			break
		} else if i > 100 {
			t.Fatalf("throwaway redis did not start: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return c, kill
}

func backendErrors(t *testing.T, reader *sdkmetric.ManualReader) map[string]int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != semconv.RateLimitBackend.Name {
				continue
			}
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				mode, _ := dp.Attributes.Value("mode")
				out[mode.AsString()] += dp.Value
			}
		}
	}
	return out
}

func TestRedisUnreachable(t *testing.T) {
	t.Parallel()
	for _, mode := range []ratelimit.FailureMode{ratelimit.FailOpen, ratelimit.FailClosed} {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			client, kill := throwawayRedis(t)
			reader := sdkmetric.NewManualReader()
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
			t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
			clock := newFakeClock()
			l, err := ratelimit.NewRedis(ratelimit.RedisConfig{Timeout: testTimeout,
				Client: client, FailureMode: mode, Now: clock.Now, MeterProvider: mp,
				FailClosedRetryAfter: 3 * time.Second,
			})
			if err != nil {
				t.Fatal(err)
			}
			limit := ratelimit.Limit{Rate: 2, Period: time.Minute}
			ctx := context.Background()
			if d, err := l.Allow(ctx, "k", limit); err != nil || !d.Allowed || d.Degraded {
				t.Fatalf("with Redis up: %+v %v", d, err)
			}
			kill()

			d1, err1 := l.Allow(ctx, "k", limit)
			d2, _ := l.Allow(ctx, "k", limit)
			d3, _ := l.Allow(ctx, "k", limit)
			if err1 != nil || !d1.Degraded || !d2.Degraded || !d3.Degraded {
				t.Fatalf("with Redis down: %+v %+v %+v %v; want degraded decisions", d1, d2, d3, err1)
			}
			switch mode {
			case ratelimit.FailOpen:
				// The backstop holds the limit in process: a fresh burst of 2, then refusal.
				if !d1.Allowed || !d2.Allowed || d3.Allowed || d3.RetryAfter != 30*time.Second || d3.FailedClosed {
					t.Fatalf("fail open: %+v %+v %+v; want backstop burst then refusal after 30s", d1, d2, d3)
				}
			case ratelimit.FailClosed:
				if d1.Allowed || !d1.FailedClosed || d1.RetryAfter != 3*time.Second {
					t.Fatalf("fail closed: %+v; want refusal with RetryAfter 3s", d1)
				}
			}
			if got := backendErrors(t, reader); got[mode.String()] != 3 || len(got) != 1 {
				t.Fatalf("backend error metric = %v; want 3 under mode %s", got, mode)
			}
		})
	}
}

func TestMiddlewareFailClosed(t *testing.T) {
	t.Parallel()
	client, kill := throwawayRedis(t)
	l, err := ratelimit.NewRedis(ratelimit.RedisConfig{Timeout: testTimeout, Client: client, FailureMode: ratelimit.FailClosed, FailClosedRetryAfter: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	mw := mustMiddleware(t, l, ratelimit.Rule{Prefix: "/api/", Policy: ratelimit.Policy{Name: "api", Limit: ratelimit.PerSecond(100)}})
	h := mw(newMux())
	kill()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/x", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "3" {
		t.Fatalf("got %d Retry-After %q; want 503 with Retry-After 3", rec.Code, rec.Header().Get("Retry-After"))
	}
}
