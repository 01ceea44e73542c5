package health_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"

	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/gatewaycore/health"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func quiet() health.Option { return health.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))) }

func redisCheck(t *testing.T) health.Check {
	t.Helper()
	u := "redis://127.0.0.1:6379/0"
	if v := testEnv("TEST_REDIS_URL"); v != "" {
		u = v
	}
	opts, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	return func(ctx context.Context) error { return c.Ping(ctx).Err() }
}

func serve(t *testing.T, c *health.Checker) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	c.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string) (int, health.Report) {
	t.Helper()
	res, err := http.Get(url) //nolint:noctx // test helper
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var rep health.Report
	if err := json.NewDecoder(res.Body).Decode(&rep); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, rep
}

// blocking is a check that waits for its deadline.
func blocking(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	c := health.New(quiet())
	c.Register("redis", 10*time.Second, redisCheck(t))
	srv := serve(t, c)

	code, rep := get(t, srv.URL+"/readyz")
	if code != 200 || rep.Status != "ok" || rep.Checks["redis"].Status != "ok" || rep.Checks["redis"].DurationMS <= 0 {
		t.Fatalf("healthy: %d %+v", code, rep)
	}

	c.Register("slow", 20*time.Millisecond, blocking)
	c.Register("broken", 0, func(context.Context) error { return errors.New("dial postgres://admin:s3cret@db") })
	code, rep = get(t, srv.URL+"/readyz")
	if code != 503 || rep.Status != "fail" || rep.Checks["slow"].Error != "timeout" || rep.Checks["broken"].Error != "failed" || rep.Checks["redis"].Status != "ok" {
		t.Fatalf("failing: %d %+v", code, rep)
	}
	res, _ := http.Get(srv.URL + "/readyz") //nolint:noctx // test
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if strings.Contains(string(body), "s3cret") {
		t.Fatalf("check error leaked: %s", body)
	}

	if code, rep := get(t, srv.URL+"/healthz"); code != 200 || rep.Status != "ok" {
		t.Fatalf("liveness should not depend on checks: %d %+v", code, rep)
	}
	c.SetReady(false)
	if code, rep := get(t, srv.URL+"/readyz"); code != 503 || rep.Status != "draining" {
		t.Fatalf("draining: %d %+v", code, rep)
	}
}

func TestGRPCHealth(t *testing.T) {
	t.Parallel()
	clk := newClock()
	c := health.New(quiet(), health.WithWatchInterval(time.Hour), health.WithClock(clk.now))
	c.Register("redis", 10*time.Second, redisCheck(t))
	var failing atomic.Bool
	failing.Store(true)
	c.Register("jobs", time.Second, func(context.Context) error {
		if failing.Load() {
			return errors.New("down")
		}
		return nil
	})
	srv := serve(t, c)
	client := healthv1connect.NewHealthClient(srv.Client(), srv.URL, connect.WithGRPCWeb())
	ctx := context.Background()
	check := func(service string) (healthv1.HealthCheckResponse_ServingStatus, error) {
		res, err := client.Check(ctx, connect.NewRequest(&healthv1.HealthCheckRequest{Service: service}))
		if err != nil {
			return 0, err
		}
		return res.Msg.GetStatus(), nil
	}
	if st, err := check("redis"); err != nil || st != healthv1.HealthCheckResponse_SERVING {
		t.Fatalf("redis: %v %v", st, err)
	}
	if st, err := check(""); err != nil || st != healthv1.HealthCheckResponse_NOT_SERVING {
		t.Fatalf("overall with jobs failing: %v %v", st, err)
	}
	if _, err := check("nope"); connect.CodeOf(err) != connect.CodeNotFound {
		t.Fatalf("unknown service: %v", err)
	}
	list, err := client.List(ctx, connect.NewRequest(&healthv1.HealthListRequest{}))
	if err != nil || len(list.Msg.GetStatuses()) != 3 || list.Msg.GetStatuses()["jobs"].GetStatus() != healthv1.HealthCheckResponse_NOT_SERVING ||
		list.Msg.GetStatuses()["redis"].GetStatus() != healthv1.HealthCheckResponse_SERVING {
		t.Fatalf("list: %v %v", list, err)
	}

	failing.Store(false)
	clk.advance(health.DefaultCacheFor) // the run that saw jobs failing is no longer reused
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := client.Watch(wctx, connect.NewRequest(&healthv1.HealthCheckRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if !stream.Receive() || stream.Msg().GetStatus() != healthv1.HealthCheckResponse_SERVING {
		t.Fatalf("first watch message: %v %v", stream.Msg(), stream.Err())
	}
	c.SetReady(false)
	if !stream.Receive() || stream.Msg().GetStatus() != healthv1.HealthCheckResponse_NOT_SERVING {
		t.Fatalf("after SetReady(false): %v %v", stream.Msg(), stream.Err())
	}
	cancel()
	_ = stream.Close()
}

// TestGRPCHealthSmallAnswersUncompressed: a client that accepts gzip (connect-go's
// default, as browsers) gets Check's few bytes uncompressed; an explicit
// connect.WithCompressMinBytes(0) from the caller still wins.
func TestGRPCHealthSmallAnswersUncompressed(t *testing.T) {
	t.Parallel()
	c := health.New(quiet(), health.WithWatchInterval(time.Hour))
	for _, tc := range []struct {
		name string
		opts []connect.HandlerOption
		want string
	}{
		{"default", nil, ""},
		{"caller compresses everything", []connect.HandlerOption{connect.WithCompressMinBytes(0)}, "gzip"},
	} {
		mux := http.NewServeMux()
		mux.Handle(c.GRPCHandler(tc.opts...))
		srv := httptest.NewServer(mux)
		client := healthv1connect.NewHealthClient(srv.Client(), srv.URL)
		res, err := client.Check(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{}))
		srv.Close()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := res.Header().Get("Content-Encoding"); got != tc.want {
			t.Errorf("%s: Content-Encoding %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestGRPCHealthBoundsDecompressedRequests: the health service answers callers
// without a credential, and the edge's body limit counts compressed bytes, so a
// request that inflates past MaxRequestBytes is refused before it is decoded.
func TestGRPCHealthBoundsDecompressedRequests(t *testing.T) {
	t.Parallel()
	c := health.New(quiet(), health.WithWatchInterval(time.Hour))
	srv := serve(t, c)
	for _, tc := range []struct {
		size int
		want string
	}{
		{health.MaxRequestBytes + 1, "resource_exhausted"},
		// Within the bound, zeros are not a message: the request reaches the decoder.
		{16, "invalid_argument"},
	} {
		if got := postGzip(t, srv.URL+"/grpc.health.v1.Health/Check", tc.size); got != tc.want {
			t.Errorf("%d bytes inflated: code %q, want %q", tc.size, got, tc.want)
		}
	}
}

// postGzip sends a Connect unary request whose gzip body inflates to size zero
// bytes and returns the error code of the answer.
func postGzip(t *testing.T, url string, size int) string {
	t.Helper()
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	if _, err := zw.Write(make([]byte, size)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/proto")
	req.Header.Set("Content-Encoding", "gzip")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var e struct {
		Code string `json:"code"`
	}
	if err := json.NewDecoder(res.Body).Decode(&e); err != nil {
		t.Fatalf("status %d: %v", res.StatusCode, err)
	}
	return e.Code
}
