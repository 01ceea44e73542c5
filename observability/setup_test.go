package observability_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/footingdev/footing/observability"
	"github.com/footingdev/footing/observability/metrics"
)

// receiver is an OTLP/HTTP trace receiver: it decodes each export request.
type receiver struct {
	mu       sync.Mutex
	requests []*coltracepb.ExportTraceServiceRequest
	headers  []http.Header
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "want POST /v1/traces with application/x-protobuf", http.StatusBadRequest)
		return
	}
	var body []byte
	switch r.Header.Get("Content-Encoding") {
	case "gzip":
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body, _ = io.ReadAll(zr)
	case "":
		body, _ = io.ReadAll(r.Body)
	default:
		http.Error(w, "unknown Content-Encoding", http.StatusUnsupportedMediaType)
		return
	}
	req := &coltracepb.ExportTraceServiceRequest{}
	if err := proto.Unmarshal(body, req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	rc.requests = append(rc.requests, req)
	rc.headers = append(rc.headers, r.Header.Clone())
	rc.mu.Unlock()
	out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

// spans returns every span received, with its resource's attributes.
func (rc *receiver) spans() ([]*tracepb.Span, []map[string]string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var spans []*tracepb.Span
	var resources []map[string]string
	for _, req := range rc.requests {
		for _, rs := range req.GetResourceSpans() {
			attrs := map[string]string{}
			for _, kv := range rs.GetResource().GetAttributes() {
				attrs[kv.GetKey()] = kv.GetValue().GetStringValue()
			}
			for _, ss := range rs.GetScopeSpans() {
				for _, s := range ss.GetSpans() {
					spans = append(spans, s)
					resources = append(resources, attrs)
				}
			}
		}
	}
	return spans, resources
}

func TestOTLPExportFlushesOnShutdown(t *testing.T) {
	t.Parallel()
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	var logs bytes.Buffer
	tel, err := observability.New(context.Background(), observability.Config{
		Getenv: envOf(map[string]string{
			"OTEL_SERVICE_NAME":           "adr-server",
			"OTEL_RESOURCE_ATTRIBUTES":    "deployment.environment=test,service.version=1.2.3",
			"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL,
			"OTEL_EXPORTER_OTLP_HEADERS":  "x-api-key=collector-secret-123",
			// Long enough that only shutdown can export the batch.
			"OTEL_BSP_SCHEDULE_DELAY": "3600000",
		}),
		LogWriter: &logs,
	})
	if err != nil {
		t.Fatal(err)
	}
	tracer := tel.TracerProvider().Tracer("test")
	ctx, parent := tracer.Start(context.Background(), "parent")
	_, child := tracer.Start(ctx, "child", trace.WithSpanKind(trace.SpanKindClient))
	child.End()
	parent.End()
	tel.Logger().InfoContext(ctx, "inside a span")

	if got, _ := rc.spans(); len(got) != 0 {
		t.Fatalf("%d spans exported before shutdown; the batch should still hold them", len(got))
	}
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans, resources := rc.spans()
	if len(spans) != 2 {
		t.Fatalf("receiver got %d spans after shutdown, want 2", len(spans))
	}
	byName := map[string]*tracepb.Span{}
	for _, s := range spans {
		byName[s.GetName()] = s
	}
	if !bytes.Equal(byName["child"].GetParentSpanId(), byName["parent"].GetSpanId()) {
		t.Fatal("child span's parent is not the parent span")
	}
	if byName["child"].GetKind() != tracepb.Span_SPAN_KIND_CLIENT {
		t.Fatalf("child kind %v", byName["child"].GetKind())
	}
	res := resources[0]
	if res["service.name"] != "adr-server" || res["service.version"] != "1.2.3" || res["deployment.environment"] != "test" || len(res["service.instance.id"]) != 32 {
		t.Fatalf("resource %v", res)
	}
	rc.mu.Lock()
	gotKey := rc.headers[0].Get("X-Api-Key")
	rc.mu.Unlock()
	if gotKey != "collector-secret-123" {
		t.Fatalf("export header %q", gotKey)
	}
	traceID := trace.SpanContextFromContext(ctx).TraceID().String()
	if !strings.Contains(logs.String(), `"trace_id":"`+traceID+`"`) {
		t.Fatalf("log line lacks the trace id %s: %s", traceID, logs.String())
	}
	if strings.Contains(logs.String(), "collector-secret-123") {
		t.Fatal("logs show the exporter's header")
	}
}

func TestNoExporterPassesTraceContextOn(t *testing.T) {
	t.Parallel()
	tel, err := observability.New(context.Background(), observability.Config{Getenv: envOf(nil), LogWriter: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	in := propagation.HeaderCarrier(http.Header{"Traceparent": {parent}, "Baggage": {"tenant=acme"}})
	ctx := tel.Propagator().Extract(context.Background(), in)
	ctx, span := tel.TracerProvider().Tracer("t").Start(ctx, "work")
	defer span.End()
	if span.IsRecording() {
		t.Fatal("span records with no exporter")
	}
	out := propagation.HeaderCarrier(http.Header{})
	tel.Propagator().Inject(ctx, out)
	if out.Get("traceparent") != parent || out.Get("baggage") != "tenant=acme" {
		t.Fatalf("propagated traceparent %q baggage %q; want them passed on unchanged", out.Get("traceparent"), out.Get("baggage"))
	}
}

func TestDisabled(t *testing.T) {
	t.Parallel()
	tel, err := observability.New(context.Background(), observability.Config{
		Getenv:    envOf(map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1"}),
		LogWriter: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := tel.MeterProvider().Meter("m").Int64Counter("footing.disabled.probe")
	c.Add(context.Background(), 1)
	fams, _ := tel.Registry().Gather()
	for _, f := range fams {
		if strings.Contains(f.GetName(), "disabled_probe") {
			t.Fatal("a disabled SDK exported a metric")
		}
	}
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestSetupInstallsGlobals is not parallel: it changes process-wide state.
func TestSetupInstallsGlobals(t *testing.T) {
	rec := httptest.NewRecorder()
	observability.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("before Setup /metrics answered %d", rec.Code)
	}
	var logs bytes.Buffer
	shutdown, err := observability.Setup(context.Background(), observability.Config{
		Getenv: envOf(map[string]string{"LOG_LEVEL": "debug", "LOG_FORMAT": "json"}), LogWriter: &logs,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = shutdown(context.Background()) })

	fields := otel.GetTextMapPropagator().Fields()
	if !strings.Contains(strings.Join(fields, ","), "traceparent") || !strings.Contains(strings.Join(fields, ","), "baggage") {
		t.Fatalf("global propagator fields %v", fields)
	}
	c, _ := otel.GetMeterProvider().Meter("m").Int64Counter("footing.setup.probe")
	c.Add(context.Background(), 2)
	rec = httptest.NewRecorder()
	observability.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if !strings.Contains(rec.Body.String(), "footing_setup_probe_total") || !strings.Contains(rec.Body.String(), "go_goroutines") {
		t.Fatalf("/metrics after Setup lacks the probe or runtime metrics:\n%.500s", rec.Body.String())
	}
	otel.Handle(io.ErrUnexpectedEOF)
	if !strings.Contains(logs.String(), `"msg":"opentelemetry"`) {
		t.Fatalf("otel errors do not reach the logger: %s", logs.String())
	}
}

// TestShutdownErrorSaysWhatFailed shuts down with a context that is already
// done while the collector hangs: Shutdown returns at once, its error names the
// cause (the caller cannot look an error id up anywhere) and wraps it for
// errors.Is. A later call waits for the stop that carried on (the hung export
// gives up after its timeout) and then succeeds. The span processor must
// stop: goleak in TestMain fails the package if its goroutine outlives the
// tests.
func TestShutdownErrorSaysWhatFailed(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	tel, err := observability.New(context.Background(), observability.Config{
		Getenv: envOf(map[string]string{
			"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL,
			// The export still running after Shutdown returns gives up soon.
			"OTEL_EXPORTER_OTLP_TIMEOUT": "200",
		}),
		LogWriter: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, span := tel.TracerProvider().Tracer("t").Start(context.Background(), "stuck")
	span.End()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = tel.Shutdown(ctx)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("Shutdown with a canceled context: %v; want an error that says and wraps context.Canceled", err)
	}
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatalf("second Shutdown: %v, want the stop that carried on to end well", err)
	}
}

// TestShutdownAfterDeadlineDelivers: the collector holds the first export
// past the first Shutdown's deadline, then answers. A second Shutdown with a
// fresh context must deliver the batched spans and return nil (the first
// call's result was cached: the second returned its deadline error), and a
// third is a no-op.
func TestShutdownAfterDeadlineDelivers(t *testing.T) {
	t.Parallel()
	rc := &receiver{}
	release := make(chan struct{})
	var first sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		first.Do(func() {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
		rc.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	tel, err := observability.New(context.Background(), observability.Config{
		Getenv: envOf(map[string]string{
			"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL,
			"OTEL_EXPORTER_OTLP_TIMEOUT":  "600000", // the exporter does not give up in this test
			"OTEL_BSP_SCHEDULE_DELAY":     "3600000",
		}),
		LogWriter: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	tracer := tel.TracerProvider().Tracer("t")
	for _, name := range []string{"a", "b"} {
		_, span := tracer.Start(context.Background(), name)
		span.End()
	}
	// Whatever the deadline, the receiver holds the export until release.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := tel.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("first Shutdown: %v, want the deadline's error", err)
	}
	close(release)
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatalf("second Shutdown: %v", err)
	}
	if spans, _ := rc.spans(); len(spans) != 2 {
		t.Fatalf("receiver got %d spans after the second Shutdown, want 2", len(spans))
	}
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatalf("third Shutdown: %v", err)
	}
}

// blockingCollector holds every Collect until release is closed, counting the
// collections that started.
type blockingCollector struct {
	desc    *prometheus.Desc
	started chan struct{}
	release chan struct{}
}

func (c blockingCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c blockingCollector) Collect(ch chan<- prometheus.Metric) {
	c.started <- struct{}{}
	<-c.release
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, 1)
}

// TestInstalledMetricsHandlerBoundsConcurrentScrapes is not parallel: it
// installs telemetry (after TestSetupInstallsGlobals, which must run first). observability.MetricsHandler, the one a service mounts
// at /metrics, built a new metrics.Handler for every request, and with it a
// new count of the scrapes in flight: MaxConcurrentScrapes bounded nothing,
// and a burst of scrapes gathered every metric in parallel without end.
func TestInstalledMetricsHandlerBoundsConcurrentScrapes(t *testing.T) {
	c := blockingCollector{
		desc:    prometheus.NewDesc("footing_scrape_probe", "blocks", nil, nil),
		started: make(chan struct{}, 100), release: make(chan struct{}),
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	shutdown, err := observability.Setup(context.Background(), observability.Config{
		Getenv: envOf(nil), LogWriter: io.Discard, Registry: reg,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = shutdown(context.Background()) })
	srv := httptest.NewServer(observability.MetricsHandler())
	defer srv.Close()
	released := false
	defer func() {
		if !released {
			close(c.release)
		}
	}()
	get := func(ctx context.Context) int {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Error(err)
			return 0
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	var wg sync.WaitGroup
	codes := make(chan int, metrics.MaxConcurrentScrapes)
	for range metrics.MaxConcurrentScrapes {
		wg.Go(func() { codes <- get(context.Background()) })
	}
	for range metrics.MaxConcurrentScrapes {
		<-c.started // every allowed scrape is gathering
	}
	// The bound of a scrape that is not refused but waits (the failure), not
	// a timing assertion: a refusal comes back at once.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if code := get(ctx); code != http.StatusServiceUnavailable {
		t.Errorf("scrape %d while %d gather: %d, want 503", metrics.MaxConcurrentScrapes+1, metrics.MaxConcurrentScrapes, code)
	}
	close(c.release)
	released = true
	wg.Wait()
	close(codes)
	for code := range codes {
		if code != http.StatusOK {
			t.Errorf("an allowed scrape answered %d", code)
		}
	}
	if n := len(c.started); n != 0 {
		t.Errorf("%d more gathers started: the refused scrape gathered", n)
	}
}

// Two live Telemetry values on one Registry would fail every scrape with
// duplicate metrics; the second is refused when it is built, and once the
// first is shut down a new one may take its place.
func TestOneLiveTelemetryPerRegistry(t *testing.T) {
	ctx := context.Background()
	reg := prometheus.NewRegistry()
	cfg := observability.Config{Getenv: envOf(nil), LogWriter: io.Discard, Registry: reg}
	first, err := observability.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if second, err := observability.New(ctx, cfg); err == nil {
		_ = second.Shutdown(ctx)
		_ = first.Shutdown(ctx)
		t.Fatal("a second live Telemetry on one Registry was built")
	}
	if err := first.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := observability.New(ctx, cfg)
	if err != nil {
		t.Fatalf("after Shutdown, a new Telemetry on the Registry was refused: %v", err)
	}
	if err := again.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Gather(); err != nil {
		t.Fatalf("scrape: %v", err)
	}
}
