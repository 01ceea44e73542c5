package instrument_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"

	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/observability/instrument"
	"github.com/footingdev/footing/observability/semconv"
)

// panickingHealth panics in every handler, as a bug would.
type panickingHealth struct {
	healthv1connect.UnimplementedHealthHandler
}

func (panickingHealth) Check(context.Context, *connect.Request[healthv1.HealthCheckRequest]) (*connect.Response[healthv1.HealthCheckResponse], error) {
	panic("handler bug")
}

func (panickingHealth) Watch(context.Context, *connect.Request[healthv1.HealthCheckRequest], *connect.ServerStream[healthv1.HealthCheckResponse]) error {
	panic("handler bug")
}

// recovering answers 500 to a panic below it, as edge.Recover does.
func recovering(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if recover() != nil {
				w.WriteHeader(http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func servePanicking(t *testing.T, b *bundle, middleware bool) healthv1connect.HealthClient {
	t.Helper()
	opts := append(b.opts(), instrument.WithOptionalMetrics(true))
	mux := http.NewServeMux()
	mux.Handle(healthv1connect.NewHealthHandler(panickingHealth{}, connect.WithInterceptors(instrument.NewInterceptor(opts...))))
	var h http.Handler = mux
	if middleware {
		h = instrument.Middleware(opts...)(h)
	}
	srv := httptest.NewServer(recovering(h))
	t.Cleanup(srv.Close)
	return healthv1connect.NewHealthClient(srv.Client(), srv.URL)
}

// activeRPCs sums footing.rpc.server.active_requests over its series.
func activeRPCs(t *testing.T, b *bundle) int64 {
	t.Helper()
	sum, ok := b.metric(t, semconv.RPCServerActiveRequests.Name).Data.(metricdata.Sum[int64])
	if !ok {
		t.Fatalf("%s is not an int64 sum", semconv.RPCServerActiveRequests.Name)
	}
	var n int64
	for _, dp := range sum.DataPoints {
		n += dp.Value
	}
	return n
}

// serverDurationCodes returns the code label of every rpc.server.duration series.
func serverDurationCodes(t *testing.T, b *bundle) map[string]uint64 {
	t.Helper()
	h, ok := b.metric(t, semconv.RPCServerDuration.Name).Data.(metricdata.Histogram[float64])
	if !ok {
		t.Fatalf("%s is not a float64 histogram", semconv.RPCServerDuration.Name)
	}
	out := map[string]uint64{}
	for _, dp := range h.DataPoints {
		out[attrMap(dp.Attributes)[semconv.AttrRPCConnectCode]] += dp.Count
	}
	return out
}

// TestPanickingHandlerIsAccountedBehindMiddleware: a handler that panics is a
// call that ended with internal — its procedure names the span and the line, it
// is counted in rpc.server.duration, and it leaves the active count — and the
// panic still reaches whatever recovers it.
func TestPanickingHandlerIsAccountedBehindMiddleware(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.AlwaysSample())
	client := servePanicking(t, b, true)
	for range 3 {
		if _, err := client.Check(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{})); err == nil {
			t.Fatal("a panicking handler answered")
		}
	}
	if n := activeRPCs(t, b); n != 0 {
		t.Errorf("%d RPCs still counted active after three panics, want 0", n)
	}
	if got := serverDurationCodes(t, b); got["internal"] != 3 {
		t.Errorf("rpc.server.duration by code = %v, want 3 internal", got)
	}
	var servers int
	for _, s := range b.spans.Ended() {
		if s.SpanKind() != trace.SpanKindServer {
			continue
		}
		servers++
		if s.Name() != healthv1connect.HealthCheckProcedure || s.Status().Code != codes.Error {
			t.Errorf("server span %q status %v, want the procedure and an error", s.Name(), s.Status())
		}
	}
	if servers != 3 {
		t.Errorf("%d server spans, want 3", servers)
	}
	for _, l := range b.lines(t) {
		if l["route"] != healthv1connect.HealthCheckProcedure || l["code"] != "internal" {
			t.Errorf("access line route %v code %v, want the procedure and internal", l["route"], l["code"])
		}
	}
}

// TestPanickingHandlerEndsTheInterceptorsSpan: with the interceptor alone, a
// panicking unary or streaming handler still ends its server span, with an
// error status, and leaves the active count.
func TestPanickingHandlerEndsTheInterceptorsSpan(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.AlwaysSample())
	client := servePanicking(t, b, false)
	if _, err := client.Check(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{})); err == nil {
		t.Fatal("a panicking handler answered")
	}
	stream, err := client.Watch(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{}))
	if err == nil {
		for stream.Receive() {
		}
		err = stream.Err()
		_ = stream.Close()
	}
	if err == nil {
		t.Fatal("a panicking stream ended cleanly")
	}
	if n := activeRPCs(t, b); n != 0 {
		t.Errorf("%d RPCs still counted active, want 0", n)
	}
	for _, proc := range []string{healthv1connect.HealthCheckProcedure, healthv1connect.HealthWatchProcedure} {
		s := findSpan(t, b.spans.Ended(), proc, trace.SpanKindServer)
		if s.Status().Code != codes.Error {
			t.Errorf("%s: server span status %v, want an error", proc, s.Status())
		}
	}
}
