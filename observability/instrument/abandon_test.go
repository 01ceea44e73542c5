package instrument_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"

	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/observability/instrument"
)

// endlessWatch sends one status on Watch, then waits for the call to end.
type endlessWatch struct {
	healthv1connect.UnimplementedHealthHandler
}

func (endlessWatch) Watch(ctx context.Context, _ *connect.Request[healthv1.HealthCheckRequest], stream *connect.ServerStream[healthv1.HealthCheckResponse]) error {
	if err := stream.Send(&healthv1.HealthCheckResponse{Status: healthv1.HealthCheckResponse_SERVING}); err != nil {
		return err
	}
	<-ctx.Done()
	return ctx.Err()
}

// serveHealth serves svc over real HTTP with the interceptor on both sides.
func serveHealth(t *testing.T, b *bundle, svc healthv1connect.HealthHandler) (healthv1connect.HealthClient, *httptest.Server) {
	t.Helper()
	icpt := instrument.NewInterceptor(b.opts()...)
	mux := http.NewServeMux()
	mux.Handle(healthv1connect.NewHealthHandler(svc, connect.WithInterceptors(icpt)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return healthv1connect.NewHealthClient(srv.Client(), srv.URL, connect.WithInterceptors(icpt)), srv
}

// waitSpans waits, with a bound generous enough for a loaded machine, until
// the ended spans of kind number n, and returns them.
func waitSpans(t *testing.T, b *bundle, kind trace.SpanKind, n int) []sdktrace.ReadOnlySpan {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var got []sdktrace.ReadOnlySpan
		for _, s := range b.spans.Ended() {
			if s.SpanKind() == kind {
				got = append(got, s)
			}
		}
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d %v spans ended, want %d", len(got), kind, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// clientDurations counts rpc.client.duration's data by error code ("" for ok).
func clientDurations(t *testing.T, b *bundle) map[string]uint64 {
	t.Helper()
	counts := map[string]uint64{}
	for _, dp := range b.metric(t, "rpc.client.duration").Data.(metricdata.Histogram[float64]).DataPoints {
		counts[attrMap(dp.Attributes)["rpc.connect_rpc.error_code"]] += dp.Count
	}
	return counts
}

// TestAbandonedClientStreamEndsSpan: a caller that stops reading a server
// stream before its end and never closes it, then whose context ends, still
// gets its client span ended (once, with the context's code) and its
// rpc.client.duration recorded (once). The old interceptor left the span open.
func TestAbandonedClientStreamEndsSpan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		ctx      func() (context.Context, context.CancelFunc)
		read     bool // receive the first message before abandoning
		wantCode string
	}{
		{"cancel after a message", func() (context.Context, context.CancelFunc) {
			return context.WithCancel(context.Background())
		}, true, "canceled"},
		{"cancel before reading", func() (context.Context, context.CancelFunc) {
			return context.WithCancel(context.Background())
		}, false, "canceled"},
		{"deadline while not reading", func() (context.Context, context.CancelFunc) {
			// A deadline that passes when the test says, not when the clock does.
			ctx := &manualCtx{Context: context.Background(), done: make(chan struct{}), err: context.DeadlineExceeded}
			return ctx, ctx.end
		}, true, "deadline_exceeded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, sdktrace.AlwaysSample())
			client, _ := serveHealth(t, b, endlessWatch{})
			ctx, cancel := tc.ctx()
			defer cancel()
			stream, err := client.Watch(ctx, connect.NewRequest(&healthv1.HealthCheckRequest{}))
			if err != nil {
				t.Fatal(err)
			}
			if tc.read && !stream.Receive() {
				t.Fatalf("no first message: %v", stream.Err())
			}
			cancel()
			// The caller reads no more and does not close the stream.
			cs := waitSpans(t, b, trace.SpanKindClient, 1)[0]
			if cs.Name() != healthv1connect.HealthWatchProcedure {
				t.Fatalf("client span %q", cs.Name())
			}
			if cs.Status().Code != codes.Error {
				t.Fatalf("client span status %v, want Error", cs.Status())
			}
			attrs := spanAttrs(cs)
			if attrs["rpc.connect_rpc.error_code"] != tc.wantCode || attrs["error.type"] != tc.wantCode {
				t.Fatalf("client span attributes %v, want code %s", attrs, tc.wantCode)
			}
			if got := clientDurations(t, b); len(got) != 1 || got[tc.wantCode] != 1 {
				t.Fatalf("rpc.client.duration counts by code %v, want one %s", got, tc.wantCode)
			}

			// What the caller does later ends nothing again.
			for stream.Receive() {
			}
			if err := stream.Close(); err != nil {
				t.Fatal(err)
			}
			if n := len(waitSpans(t, b, trace.SpanKindClient, 1)); n != 1 {
				t.Fatalf("%d client spans, want 1", n)
			}
			if got := clientDurations(t, b); len(got) != 1 || got[tc.wantCode] != 1 {
				t.Fatalf("after Receive and Close, rpc.client.duration counts by code %v, want one %s", got, tc.wantCode)
			}
			if tc.read {
				// The server side ends too: its handler returns once the
				// client has gone.
				waitSpans(t, b, trace.SpanKindServer, 1)
			}
		})
	}
}

// TestClientStreamCompletedThenCancelled: a stream read to its end is ok, and
// a cancel that comes afterwards records nothing more.
func TestClientStreamCompletedThenCancelled(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.AlwaysSample())
	client, _ := serveHealth(t, b, healthService{})
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := client.Watch(ctx, connect.NewRequest(&healthv1.HealthCheckRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	for stream.Receive() {
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := stream.Close(); err != nil {
		t.Fatal(err)
	}
	cs := waitSpans(t, b, trace.SpanKindClient, 1)
	if len(cs) != 1 || cs[0].Status().Code != codes.Unset {
		t.Fatalf("client spans %v, want one with status unset", cs)
	}
	if got := clientDurations(t, b); len(got) != 1 || got[""] != 1 {
		t.Fatalf("rpc.client.duration counts by code %v, want one ok", got)
	}
}

// manualCtx is a context that ends with err when end is called. No context
// function recognises it, so context.AfterFunc watches it from a goroutine of
// its own.
type manualCtx struct {
	context.Context
	done chan struct{}
	err  error
	once sync.Once
}

func (c *manualCtx) Done() <-chan struct{} { return c.done }

func (c *manualCtx) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

func (c *manualCtx) end() { c.once.Do(func() { close(c.done) }) }

// TestClientStreamLeavesNothingRunning: once a stream has ended, nothing the
// interceptor started to watch the call's context is still running. Not
// parallel, so that goleak sees only this test's goroutines.
func TestClientStreamLeavesNothingRunning(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	b := setup(t, sdktrace.AlwaysSample())
	client, srv := serveHealth(t, b, healthService{})
	ctx := &manualCtx{Context: context.Background(), done: make(chan struct{}), err: context.Canceled}
	defer ctx.end()
	for _, closeEarly := range []bool{false, true} {
		stream, err := client.Watch(ctx, connect.NewRequest(&healthv1.HealthCheckRequest{}))
		if err != nil {
			t.Fatal(err)
		}
		if !closeEarly {
			for stream.Receive() {
			}
		}
		if err := stream.Close(); err != nil {
			t.Fatal(err)
		}
	}
	srv.Close()
	srv.Client().CloseIdleConnections()
	goleak.VerifyNone(t, ignore)
	if got := clientDurations(t, b); got[""] != 2 {
		t.Fatalf("rpc.client.duration counts by code %v, want two ok", got)
	}
}

// TestTransportSpanEndsWithoutReadingTheBody: Transport's span and
// http.client.request.duration end when RoundTrip returns, so a response body
// that is never read leaves nothing open.
func TestTransportSpanEndsWithoutReadingTheBody(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.AlwaysSample())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(make([]byte, 1<<20))
	}))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: instrument.Transport(srv.Client().Transport, b.opts()...)}
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if n := len(b.spans.Ended()); n != 1 {
		t.Fatalf("%d spans ended with the body unread, want 1", n)
	}
	b.metric(t, "http.client.request.duration")
}
