package instrument_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"connectrpc.com/connect"
	"connectrpc.com/otelconnect"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/exemplar"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/proto"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/observability/instrument"
	"github.com/footingdev/footing/observability/internal/benchcmp"
	"github.com/footingdev/footing/observability/logging"
	"github.com/footingdev/footing/observability/tracing"
)

// benchBody is a Connect unary request for Health/Check in binary protobuf.
var benchBody, _ = proto.Marshal(&healthv1.HealthCheckRequest{Service: "adr"})

// unaryCaller returns a function that sends one Connect unary request to h, with
// the identity a gateway would have put in the context.
func unaryCaller(b *testing.B, h http.Handler) func() {
	b.Helper()
	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: "acme", UserId: "u1"})
	ctx = identity.WithRequestMetadata(ctx, &commonv1.RequestMetadata{RequestId: "req-1"})
	check := func() {
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, healthv1connect.HealthCheckProcedure, bytes.NewReader(benchBody))
		req.Header.Set("Content-Type", "application/proto")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	check() // warm up and fail early
	return check
}

func bareHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(healthv1connect.NewHealthHandler(healthService{}))
	return mux
}

// instrumentedHandler is bareHandler with the full instrumentation: middleware
// (span, http metrics, access log through the redacting handler) and the
// interceptor (rpc metrics, procedure on the span and the line), with real SDK
// providers; sampled spans go through a batch processor to an exporter that
// drops them. Metrics have the SDK's default (trace-based) exemplar filter,
// which is also footing's.
func instrumentedHandler(b *testing.B, sampler sdktrace.Sampler) http.Handler {
	return instrumented(b, sampler, variant{accessLog: true})
}

// withoutAccessLog is instrumentedHandler without the access-log line, to show
// what the line costs.
func withoutAccessLog(b *testing.B, sampler sdktrace.Sampler) http.Handler {
	return instrumented(b, sampler, variant{})
}

// withOptionalMetrics is instrumentedHandler with the optional metrics on (the
// active-request counters and the response size), as before they became
// optional.
func withOptionalMetrics(b *testing.B, sampler sdktrace.Sampler) http.Handler {
	return instrumented(b, sampler, variant{accessLog: true, optionalMetrics: true})
}

// withoutExemplars is instrumentedHandler with OTEL_METRICS_EXEMPLAR_FILTER=always_off.
func withoutExemplars(b *testing.B, sampler sdktrace.Sampler) http.Handler {
	return instrumented(b, sampler, variant{accessLog: true, exemplarsOff: true})
}

type variant struct {
	accessLog, optionalMetrics, exemplarsOff bool
}

func instrumented(b *testing.B, sampler sdktrace.Sampler, v variant) http.Handler {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sampler), sdktrace.WithBatcher(discardExporter{}))
	filter := exemplar.TraceBasedFilter
	if v.exemplarsOff {
		filter = exemplar.AlwaysOffFilter
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()), sdkmetric.WithExemplarFilter(filter))
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	opts := []instrument.Option{
		instrument.WithTracerProvider(tp),
		instrument.WithMeterProvider(mp),
		instrument.WithPropagator(tracing.Propagator()),
		instrument.WithLogger(slogLogger(logging.NewHandler(io.Discard, nil))),
		instrument.WithAccessLog(v.accessLog),
		instrument.WithOptionalMetrics(v.optionalMetrics),
	}
	mux := http.NewServeMux()
	mux.Handle(healthv1connect.NewHealthHandler(healthService{}, connect.WithInterceptors(instrument.NewInterceptor(opts...))))
	return instrument.Middleware(opts...)(mux)
}

// otelconnectHandler is bareHandler with otelconnect's interceptor (spans and
// rpc metrics, no access log), the off-the-shelf alternative, for comparison.
func otelconnectHandler(b *testing.B, sampler sdktrace.Sampler) http.Handler {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sampler), sdktrace.WithBatcher(discardExporter{}))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	icpt, err := otelconnect.NewInterceptor(otelconnect.WithTracerProvider(tp), otelconnect.WithMeterProvider(mp),
		otelconnect.WithPropagator(tracing.Propagator()))
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(healthv1connect.NewHealthHandler(healthService{}, connect.WithInterceptors(icpt)))
	return mux
}

type discardExporter struct{}

func (discardExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardExporter) Shutdown(context.Context) error                             { return nil }

// BenchmarkConnectUnary compares a bare Connect unary handler with the same
// handler fully instrumented, sampled and not. The instrumented cases run the
// bare handler interleaved with the instrumented one (internal/benchcmp) and
// report medians: x-bare (time ratio), ns-added/req and allocs-added/req. Their
// ns/op counts both sides; read ns/req instead.
func BenchmarkConnectUnary(b *testing.B) {
	b.Run("bare", func(b *testing.B) {
		call := unaryCaller(b, bareHandler())
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			call()
		}
	})
	for _, tc := range []struct {
		name    string
		sampler sdktrace.Sampler
		handler func(*testing.B, sdktrace.Sampler) http.Handler
	}{
		{"sampled", sdktrace.ParentBased(sdktrace.AlwaysSample()), instrumentedHandler},
		{"unsampled", sdktrace.ParentBased(sdktrace.NeverSample()), instrumentedHandler},
		{"unsampled-no-access-log", sdktrace.ParentBased(sdktrace.NeverSample()), withoutAccessLog},
		{"sampled-optional-metrics", sdktrace.ParentBased(sdktrace.AlwaysSample()), withOptionalMetrics},
		{"sampled-no-exemplars", sdktrace.ParentBased(sdktrace.AlwaysSample()), withoutExemplars},
		{"otelconnect-sampled", sdktrace.ParentBased(sdktrace.AlwaysSample()), otelconnectHandler},
		{"otelconnect-unsampled", sdktrace.ParentBased(sdktrace.NeverSample()), otelconnectHandler},
	} {
		b.Run(tc.name, func(b *testing.B) {
			bareCall := unaryCaller(b, bareHandler())
			call := unaryCaller(b, tc.handler(b, tc.sampler))
			b.ResetTimer()
			r := benchcmp.Compare(b.N, bareCall, call)
			b.ReportMetric(r.SubjectNs, "ns/req")
			b.ReportMetric(r.BaseNs, "bare-ns/req")
			b.ReportMetric(r.Ratio(), "x-bare")
			b.ReportMetric(r.AddedNs(), "ns-added/req")
			b.ReportMetric(r.SubjectAllocs, "allocs/req")
			b.ReportMetric(r.AddedAllocs(), "allocs-added/req")
		})
	}
}

func slogLogger(h *logging.Handler) *slog.Logger { return slog.New(h) }

// BenchmarkSDKFloor measures what the OpenTelemetry SDK itself costs per
// request, whatever instruments it: one sampled server span with the twelve
// attributes a Connect call behind Middleware gets (and with none, and with
// eight), ended through a batch span processor; and one histogram recording
// with a cached attribute set under a sampled span, with and without the
// trace-based exemplar filter. These are the floors under
// BenchmarkConnectUnary's sampled case.
func BenchmarkSDKFloor(b *testing.B) {
	kv := []attribute.KeyValue{
		attribute.String("http.request.method", "POST"), attribute.String("url.scheme", "http"),
		attribute.String("url.path", healthv1connect.HealthCheckProcedure), attribute.String("server.address", "example.com"),
		attribute.Int("http.response.status_code", 200), attribute.String("http.route", healthv1connect.HealthCheckProcedure),
		attribute.String("rpc.system", "connect_rpc"), attribute.String("rpc.service", "grpc.health.v1.Health"),
		attribute.String("rpc.method", "Check"), attribute.String("footing.tenant.id", "acme"),
		attribute.String("footing.user.id", "u1"), attribute.String("footing.request.id", "req-1"),
	}
	// Eight attributes is where the SDK's deduplication at End stops fitting in
	// a small map (recordingSpan.dedupeAttrs): from nine on it allocates a
	// table, three more allocations.
	for _, n := range []int{0, 8, len(kv)} {
		b.Run(fmt.Sprintf("span-%d-attrs", n), func(b *testing.B) {
			tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discardExporter{}))
			b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
			tracer := tp.Tracer("bench")
			kind := trace.WithSpanKind(trace.SpanKindServer)
			b.ReportAllocs()
			for range b.N {
				_, span := tracer.Start(context.Background(), "POST", kind)
				if n > 0 {
					span.SetAttributes(kv[:n]...)
				}
				span.End()
			}
		})
	}
	tp := sdktrace.NewTracerProvider()
	ctx, span := tp.Tracer("bench").Start(context.Background(), "sampled")
	b.Cleanup(func() { span.End() })
	for _, tc := range []struct {
		name   string
		filter exemplar.Filter
	}{{"record/exemplars-trace-based", exemplar.TraceBasedFilter}, {"record/exemplars-off", exemplar.AlwaysOffFilter}} {
		b.Run(tc.name, func(b *testing.B) {
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()), sdkmetric.WithExemplarFilter(tc.filter))
			h, err := mp.Meter("bench").Float64Histogram("rpc.server.duration")
			if err != nil {
				b.Fatal(err)
			}
			opts := []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(kv[6:9]...))}
			b.ReportAllocs()
			for range b.N {
				h.Record(ctx, 1.5, opts...)
			}
		})
	}
}
