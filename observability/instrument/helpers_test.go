package instrument_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/footingdev/footing/contracts/errs"
	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/observability/instrument"
	"github.com/footingdev/footing/observability/tracing"
)

// bundle is one test's own telemetry pipeline: spans, metrics and log lines.
type bundle struct {
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
	logs   *syncBuffer
	logger *slog.Logger
}

func setup(t *testing.T, sampler sdktrace.Sampler) *bundle {
	t.Helper()
	b := &bundle{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader(), logs: &syncBuffer{}}
	b.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(b.spans), sdktrace.WithSampler(sampler))
	b.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(b.reader))
	b.logger = slog.New(slog.NewJSONHandler(b.logs, nil))
	t.Cleanup(func() {
		_ = b.tp.Shutdown(context.Background())
		_ = b.mp.Shutdown(context.Background())
	})
	return b
}

func (b *bundle) opts() []instrument.Option {
	return []instrument.Option{
		instrument.WithTracerProvider(b.tp),
		instrument.WithMeterProvider(b.mp),
		instrument.WithPropagator(tracing.Propagator()),
		instrument.WithLogger(b.logger),
	}
}

// lines returns the decoded JSON log lines.
func (b *bundle) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(b.logs.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// metric returns the named metric from a collection, failing when it is absent.
func (b *bundle) metric(t *testing.T, name string) metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := b.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m
			}
			names = append(names, m.Name)
		}
	}
	t.Fatalf("metric %q not recorded; have %v", name, names)
	return metricdata.Metrics{}
}

func attrMap(set attribute.Set) map[string]string {
	m := map[string]string{}
	for _, kv := range set.ToSlice() {
		m[string(kv.Key)] = kv.Value.String()
	}
	return m
}

func spanAttrs(s sdktrace.ReadOnlySpan) map[string]string {
	return attrMap(attribute.NewSet(s.Attributes()...))
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// healthService answers Check with SERVING, fails for service "missing" with
// NotFound and for "broken" with Internal, and streams three statuses on Watch.
type healthService struct {
	healthv1connect.UnimplementedHealthHandler
}

func (healthService) Check(_ context.Context, req *connect.Request[healthv1.HealthCheckRequest]) (*connect.Response[healthv1.HealthCheckResponse], error) {
	switch req.Msg.GetService() {
	case "missing":
		return nil, errs.NotFound("SERVICE_NOT_FOUND", "no such service")
	case "broken":
		return nil, errs.Internal(connect.NewError(connect.CodeUnknown, nil))
	}
	return connect.NewResponse(&healthv1.HealthCheckResponse{Status: healthv1.HealthCheckResponse_SERVING}), nil
}

func (healthService) Watch(_ context.Context, _ *connect.Request[healthv1.HealthCheckRequest], stream *connect.ServerStream[healthv1.HealthCheckResponse]) error {
	for range 3 {
		if err := stream.Send(&healthv1.HealthCheckResponse{Status: healthv1.HealthCheckResponse_SERVING}); err != nil {
			return err
		}
	}
	return nil
}
