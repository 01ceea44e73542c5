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

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/observability/instrument"
)

// serve starts a real HTTP server for the health service, wrapping its handler
// with wrap, and returns a client that uses the interceptor too.
func serve(t *testing.T, b *bundle, wrap func(http.Handler) http.Handler) healthv1connect.HealthClient {
	t.Helper()
	icpt := instrument.NewInterceptor(b.opts()...)
	mux := http.NewServeMux()
	mux.Handle(healthv1connect.NewHealthHandler(healthService{}, connect.WithInterceptors(icpt)))
	var h http.Handler = mux
	if wrap != nil {
		h = wrap(h)
	}
	// The identity a gateway would have set from a verified token.
	inner := h
	h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := identity.WithPrincipal(r.Context(), &commonv1.Principal{Subject: "s", TenantId: "tenant-1", UserId: "user-1"})
		ctx = identity.WithRequestMetadata(ctx, &commonv1.RequestMetadata{RequestId: "req-1"})
		inner.ServeHTTP(w, r.WithContext(ctx))
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return healthv1connect.NewHealthClient(srv.Client(), srv.URL, connect.WithInterceptors(icpt))
}

func findSpan(t *testing.T, spans []sdktrace.ReadOnlySpan, name string, kind trace.SpanKind) sdktrace.ReadOnlySpan {
	t.Helper()
	for _, s := range spans {
		if s.Name() == name && s.SpanKind() == kind {
			return s
		}
	}
	var got []string
	for _, s := range spans {
		got = append(got, s.SpanKind().String()+" "+s.Name())
	}
	t.Fatalf("no %v span %q; have %v", kind, name, got)
	return nil
}

func TestConnectTraceCrossesTheWire(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		service    string
		wantCode   string
		wantErr    bool
		wantStatus codes.Code
	}{
		{"ok", "", "ok", false, codes.Unset},
		{"caller error keeps status unset", "missing", "not_found", true, codes.Unset},
		{"server fault", "broken", "internal", true, codes.Error},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, sdktrace.AlwaysSample())
			client := serve(t, b, nil)
			_, err := client.Check(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{Service: tc.service}))
			if (err != nil) != tc.wantErr {
				t.Fatalf("Check error = %v, want error %v", err, tc.wantErr)
			}
			spans := b.spans.Ended()
			cs := findSpan(t, spans, healthv1connect.HealthCheckProcedure, trace.SpanKindClient)
			ss := findSpan(t, spans, healthv1connect.HealthCheckProcedure, trace.SpanKindServer)
			if ss.SpanContext().TraceID() != cs.SpanContext().TraceID() {
				t.Fatalf("server trace %s, client trace %s: trace context did not cross", ss.SpanContext().TraceID(), cs.SpanContext().TraceID())
			}
			if ss.Parent().SpanID() != cs.SpanContext().SpanID() {
				t.Fatalf("server span's parent %s is not the client span %s", ss.Parent().SpanID(), cs.SpanContext().SpanID())
			}
			if !ss.Parent().IsRemote() {
				t.Fatal("server span's parent is not remote")
			}
			attrs := spanAttrs(ss)
			if attrs["rpc.method"] != "Check" || attrs["rpc.service"] != "grpc.health.v1.Health" || attrs["rpc.system"] != "connect_rpc" {
				t.Fatalf("server span attributes %v", attrs)
			}
			if attrs["footing.tenant.id"] != "tenant-1" {
				t.Fatalf("server span has no tenant: %v", attrs)
			}
			if tc.wantErr && attrs["rpc.connect_rpc.error_code"] != tc.wantCode {
				t.Fatalf("error code attribute %q, want %q", attrs["rpc.connect_rpc.error_code"], tc.wantCode)
			}
			if ss.Status().Code != tc.wantStatus {
				t.Fatalf("server span status %v, want %v", ss.Status().Code, tc.wantStatus)
			}
			if tc.wantErr && cs.Status().Code != codes.Error {
				t.Fatalf("client span status %v, want Error", cs.Status().Code)
			}

			lines := b.lines(t)
			if len(lines) != 1 {
				t.Fatalf("%d access-log lines, want 1: %v", len(lines), lines)
			}
			l := lines[0]
			if l["msg"] != "rpc" || l["procedure"] != healthv1connect.HealthCheckProcedure || l["code"] != tc.wantCode ||
				l["tenant"] != "tenant-1" || l["request_id"] != "req-1" || l["user"] != "user-1" {
				t.Fatalf("access-log line %v", l)
			}
			if _, ok := l["duration"].(float64); !ok {
				t.Fatalf("access-log line has no duration: %v", l)
			}
		})
	}
}

func TestConnectBehindMiddlewareIsOneSpanAndOneLine(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.AlwaysSample())
	client := serve(t, b, instrument.Middleware(b.opts()...))
	_, err := client.Check(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{Service: "missing"}))
	if connect.CodeOf(err) != connect.CodeNotFound {
		t.Fatalf("Check error = %v, want not_found", err)
	}
	var servers []sdktrace.ReadOnlySpan
	for _, s := range b.spans.Ended() {
		if s.SpanKind() == trace.SpanKindServer {
			servers = append(servers, s)
		}
	}
	if len(servers) != 1 {
		t.Fatalf("%d server spans, want 1", len(servers))
	}
	ss := servers[0]
	if ss.Name() != healthv1connect.HealthCheckProcedure {
		t.Fatalf("server span named %q, want the procedure", ss.Name())
	}
	attrs := spanAttrs(ss)
	if attrs["http.response.status_code"] != "404" || attrs["rpc.method"] != "Check" {
		t.Fatalf("server span attributes %v", attrs)
	}
	lines := b.lines(t)
	if len(lines) != 1 {
		t.Fatalf("%d access-log lines, want 1: %v", len(lines), lines)
	}
	l := lines[0]
	if l["msg"] != "http request" || l["route"] != healthv1connect.HealthCheckProcedure || l["code"] != "not_found" ||
		l["status"] != float64(404) || l["tenant"] != "tenant-1" || l["request_id"] != "req-1" {
		t.Fatalf("access-log line %v", l)
	}
	if n, _ := l["bytes_out"].(float64); n <= 0 {
		t.Fatalf("access-log line counts no bytes out: %v", l)
	}
}

func TestConnectStreaming(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.AlwaysSample())
	client := serve(t, b, nil)
	stream, err := client.Watch(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for stream.Receive() {
		n++
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if err := stream.Close(); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("received %d messages, want 3", n)
	}
	spans := b.spans.Ended()
	cs := findSpan(t, spans, healthv1connect.HealthWatchProcedure, trace.SpanKindClient)
	ss := findSpan(t, spans, healthv1connect.HealthWatchProcedure, trace.SpanKindServer)
	if ss.Parent().SpanID() != cs.SpanContext().SpanID() {
		t.Fatal("streaming server span is not the child of the client span")
	}
	lines := b.lines(t)
	if len(lines) != 1 || lines[0]["procedure"] != healthv1connect.HealthWatchProcedure || lines[0]["code"] != "ok" {
		t.Fatalf("access-log lines %v", lines)
	}
}

func TestConnectMetrics(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.AlwaysSample())
	client := serve(t, b, nil)
	for _, svc := range []string{"", "", "missing"} {
		_, _ = client.Check(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{Service: svc}))
	}
	for _, name := range []string{"rpc.server.duration", "rpc.client.duration"} {
		m := b.metric(t, name)
		if m.Unit != "ms" {
			t.Fatalf("%s unit %q, want ms", name, m.Unit)
		}
		h, ok := m.Data.(metricdata.Histogram[float64])
		if !ok {
			t.Fatalf("%s is %T, want a float64 histogram", name, m.Data)
		}
		counts := map[string]uint64{}
		for _, dp := range h.DataPoints {
			a := attrMap(dp.Attributes)
			if a["rpc.system"] != "connect_rpc" || a["rpc.service"] != "grpc.health.v1.Health" || a["rpc.method"] != "Check" {
				t.Fatalf("%s labels %v", name, a)
			}
			counts[a["rpc.connect_rpc.error_code"]] += dp.Count
		}
		if counts[""] != 2 || counts["not_found"] != 1 {
			t.Fatalf("%s counts by code %v, want 2 ok and 1 not_found", name, counts)
		}
	}
}

// TestUnsampledStillLogsAndMeasures: with sampling off no span is recorded, but the
// access line and the metrics are (propagation: TestUnsampledParentPropagates).
func TestUnsampledStillLogsAndMeasures(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.NeverSample())
	client := serve(t, b, nil)
	_, err := client.Check(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(b.spans.Ended()); n != 0 {
		t.Fatalf("%d spans recorded with sampling off", n)
	}
	if len(b.lines(t)) != 1 {
		t.Fatal("no access-log line with sampling off")
	}
	// Metrics are recorded whatever the sampling.
	if m := b.metric(t, "rpc.server.duration"); len(m.Data.(metricdata.Histogram[float64]).DataPoints) == 0 {
		t.Fatal("no rpc.server.duration data with sampling off")
	}
}
