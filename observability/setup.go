package observability

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	metricapi "go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
	"golang.org/x/term"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"

	"github.com/footingdev/footing/observability/logging"
	"github.com/footingdev/footing/observability/metrics"
)

// Telemetry is one service's tracer, meter and logger, built by [New]. Its
// methods are safe for concurrent use.
type Telemetry struct {
	tp       trace.TracerProvider
	mp       metricapi.MeterProvider
	logger   *slog.Logger
	registry *prometheus.Registry
	// metrics serves the registry; one handler, so that its bound on the
	// scrapes in flight holds across requests.
	metrics http.Handler
	prop    propagation.TextMapPropagator
	closers []func(context.Context) error

	mu       sync.Mutex
	shutdown *shutdownOp // the one shutdown, once started
}

// shutdownOp is the shutdown running, or done, in its own goroutine: a call
// whose context ends first leaves it running, and a later call waits for it.
type shutdownOp struct {
	done chan struct{}
	err  error // set before done is closed
}

// New builds the telemetry cfg describes, without installing it anywhere; see
// [Setup] for that. It reports every configuration problem at once (see
// [Config.Validate]).
//
// With no trace exporter configured (the default), the TracerProvider is a no-op:
// spans cost next to nothing and a service passes the caller's trace context on
// unchanged, so traces stay whole across it.
func New(ctx context.Context, cfg Config) (*Telemetry, error) {
	r, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	w := r.LogWriter
	if w == nil {
		w = os.Stderr
	}
	t := &Telemetry{
		logger: slog.New(logging.NewHandler(w, &logging.Options{
			Format: r.format, Level: r.level, SecretKeys: r.SecretKeys,
		})),
		registry: r.Registry,
		prop:     newPropagator(r.Propagators),
		tp:       tracenoop.NewTracerProvider(),
		mp:       metricnoop.NewMeterProvider(),
	}
	if t.registry == nil {
		t.registry = metrics.NewRegistry()
	}
	t.metrics = metrics.Handler(t.registry)
	if r.Disabled {
		return t, nil
	}
	res := newResource(r)

	// Set here, from cfg's environment, so that Config.Getenv is honoured: the
	// SDK itself would read OTEL_METRICS_EXEMPLAR_FILTER with os.Getenv.
	mp, err := metrics.NewMeterProvider(t.registry, res, sdkmetric.WithExemplarFilter(r.exemplar))
	if err != nil {
		return nil, err
	}
	t.mp = mp
	t.closers = append(t.closers, mp.Shutdown)

	if r.TracesExporter == "otlp" {
		exp, err := newTraceExporter(ctx, r)
		if err != nil {
			_ = mp.Shutdown(ctx)
			return nil, err
		}
		// The export timeout bounds an export with its retries: the HTTP
		// exporter applies its own only to each attempt, and retries a
		// timed-out one, up to the processor's default of 30 s.
		bsp := sdktrace.NewBatchSpanProcessor(exp, sdktrace.WithBatchTimeout(r.BatchTimeout),
			sdktrace.WithExportTimeout(r.Timeout))
		// The SDK's limits (from OTEL_SPAN_* in the process environment),
		// with the value length resolve read: unlimited by default in the
		// SDK, and a client decides some values.
		limits := sdktrace.NewSpanLimits()
		limits.AttributeValueLengthLimit = r.AttributeValueLengthLimit
		tp := sdktrace.NewTracerProvider(
			sdktrace.WithRawSpanLimits(limits),
			sdktrace.WithResource(res),
			sdktrace.WithSampler(newSampler(r)),
			sdktrace.WithSpanProcessor(bsp),
		)
		t.tp = tp
		// Spans first: their export may still record metrics. Shutdown
		// passes a context that is never done, so the provider stops its
		// processor (it would not, given one that is done).
		t.closers = append([]func(context.Context) error{tp.Shutdown}, t.closers...)
	}
	return t, nil
}

// Setup builds the telemetry cfg describes (see [New]) and installs it as the
// OpenTelemetry global TracerProvider, MeterProvider and propagator (W3C trace
// context and baggage unless OTEL_PROPAGATORS says otherwise), as [slog.Default], and as the registry [MetricsHandler]
// serves. OpenTelemetry's own errors go to that logger at Warn.
//
// The returned shutdown flushes the spans still batched and stops the exporters;
// call it with a deadline when the service stops (see [Telemetry.Shutdown]).
func Setup(ctx context.Context, cfg Config) (shutdown func(context.Context) error, err error) {
	t, err := New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	otel.SetTracerProvider(t.tp)
	otel.SetMeterProvider(t.mp)
	otel.SetTextMapPropagator(t.prop)
	logger := t.logger
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		logger.Warn("opentelemetry", "error", err)
	}))
	slog.SetDefault(t.logger)
	installed.Store(t)
	return t.Shutdown, nil
}

// TracerProvider returns the provider of spans.
func (t *Telemetry) TracerProvider() trace.TracerProvider { return t.tp }

// MeterProvider returns the provider of metrics.
func (t *Telemetry) MeterProvider() metricapi.MeterProvider { return t.mp }

// Propagator returns the propagator OTEL_PROPAGATORS chose: by default W3C
// trace context and baggage.
func (t *Telemetry) Propagator() propagation.TextMapPropagator { return t.prop }

// Logger returns the logger, writing through a logging.Handler.
func (t *Telemetry) Logger() *slog.Logger { return t.logger }

// Registry returns the Prometheus registry the metrics go to.
func (t *Telemetry) Registry() *prometheus.Registry { return t.registry }

// MetricsHandler serves the registry at /metrics (see metrics.Handler). Every
// call returns the same handler: at most [metrics.MaxConcurrentScrapes]
// scrapes are served at once, however many places mount it.
func (t *Telemetry) MetricsHandler() http.Handler { return t.metrics }

// Shutdown flushes batched spans and stops the exporters, and returns nil once
// they are; later calls then return nil at once. Once ctx is done it returns
// an error that wraps ctx's, without waiting for a slow collector; the flush
// and stop carry on (each export gives up after the exporter's timeout), and
// a later call, with a fresh context, waits for them and returns their result.
// Errors say what failed and wrap the causes, for [errors.Is].
func (t *Telemetry) Shutdown(ctx context.Context) error {
	t.mu.Lock()
	op := t.shutdown
	if op == nil {
		op = &shutdownOp{done: make(chan struct{})}
		t.shutdown = op
		// Not ctx: the SDK drops a batch whose export ctx cut short, and
		// stops nothing once ctx is done. The exporter's timeout bounds it.
		go op.run(context.WithoutCancel(ctx), t.closers)
	}
	t.mu.Unlock()
	select {
	case <-op.done:
		return op.err
	default:
	}
	select {
	case <-op.done:
		return op.err
	case <-ctx.Done():
		return fmt.Errorf("observability: shutdown: spans still flushing or exporters still stopping (a later Shutdown waits for them): %w", ctx.Err())
	}
}

func (op *shutdownOp) run(ctx context.Context, closers []func(context.Context) error) {
	defer close(op.done)
	var all []error
	for _, c := range closers {
		if err := c(ctx); err != nil {
			all = append(all, err)
		}
	}
	if err := errors.Join(all...); err != nil {
		op.err = fmt.Errorf("observability: shutdown: %w", err)
	}
}

var installed = &installedTelemetry{}

type installedTelemetry struct {
	mu sync.RWMutex
	t  *Telemetry
}

// Store makes t the installed telemetry.
func (i *installedTelemetry) Store(t *Telemetry) {
	i.mu.Lock()
	i.t = t
	i.mu.Unlock()
}

// Load returns the installed telemetry, or nil.
func (i *installedTelemetry) Load() *Telemetry {
	i.mu.RLock()
	defer i.mu.RUnlock()
	return i.t
}

// MetricsHandler serves, at /metrics, the registry of the telemetry that [Setup]
// installed last, through that telemetry's one handler (see
// [Telemetry.MetricsHandler]); before Setup it answers 503.
func MetricsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := installed.Load()
		if t == nil {
			http.Error(w, "observability.Setup has not run", http.StatusServiceUnavailable)
			return
		}
		t.MetricsHandler().ServeHTTP(w, r)
	})
}

func newResource(r resolved) *resource.Resource {
	name := r.ServiceName
	if name == "" {
		name = "unknown_service:" + filepath.Base(os.Args[0])
	}
	version := r.ServiceVersion
	if version == "" {
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
			version = bi.Main.Version
		}
	}
	instance := r.InstanceID
	if instance == "" {
		var b [16]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
		instance = hex.EncodeToString(b[:])
	}
	kv := make([]attribute.KeyValue, 0, len(r.ResourceAttributes)+5)
	for k, v := range r.ResourceAttributes {
		kv = append(kv, attribute.String(k, v))
	}
	kv = append(kv,
		attribute.String("service.name", name),
		attribute.String("service.instance.id", instance),
		attribute.String("telemetry.sdk.language", "go"),
		attribute.String("telemetry.sdk.name", "opentelemetry"),
	)
	if version != "" {
		kv = append(kv, attribute.String("service.version", version))
	}
	return resource.NewSchemaless(kv...) // later duplicates win: the fields above override the variable
}

// newPropagator composes the propagators resolve accepted, in their order.
func newPropagator(names []string) propagation.TextMapPropagator {
	props := make([]propagation.TextMapPropagator, 0, len(names))
	for _, n := range names {
		switch n {
		case "tracecontext":
			props = append(props, propagation.TraceContext{})
		case "baggage":
			props = append(props, propagation.Baggage{})
		}
	}
	return propagation.NewCompositeTextMapPropagator(props...)
}

func newSampler(r resolved) sdktrace.Sampler {
	switch r.Sampler {
	case SamplerAlwaysOn:
		return sdktrace.AlwaysSample()
	case SamplerAlwaysOff:
		return sdktrace.NeverSample()
	case SamplerTraceIDRatio:
		return sdktrace.TraceIDRatioBased(r.ratio)
	case SamplerParentBasedAlwaysOff:
		return sdktrace.ParentBased(sdktrace.NeverSample())
	case SamplerParentBasedTraceIDRatio:
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(r.ratio))
	default:
		return sdktrace.ParentBased(sdktrace.AlwaysSample())
	}
}

// newTraceExporter builds the OTLP exporter with every setting passed as an
// option: the exporters also read OTEL_EXPORTER_OTLP_* from the process
// environment themselves, and options win over that, so what resolve read
// through Config.Getenv and checked is what the exporter uses.
func newTraceExporter(ctx context.Context, r resolved) (sdktrace.SpanExporter, error) {
	u, err := url.Parse(r.tracesURL)
	if err != nil { // resolve checked it already
		return nil, fmt.Errorf("observability: trace exporter: %w", err)
	}
	var exp sdktrace.SpanExporter
	if r.Protocol == ProtocolGRPC {
		opts := []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(u.Host), otlptracegrpc.WithHeaders(r.Headers),
			otlptracegrpc.WithTimeout(r.Timeout)}
		if r.tls == nil { // http://
			opts = append(opts, otlptracegrpc.WithTLSCredentials(insecure.NewCredentials()))
		} else {
			opts = append(opts, otlptracegrpc.WithTLSCredentials(credentials.NewTLS(r.tls)))
		}
		if r.Compression == "gzip" {
			opts = append(opts, otlptracegrpc.WithCompressor("gzip"))
		} else {
			// The exporter has no option for "none": a later call option
			// overrides the gzip it may have read from the environment.
			opts = append(opts, otlptracegrpc.WithDialOption(grpc.WithDefaultCallOptions(grpc.UseCompressor(encoding.Identity))))
		}
		exp, err = otlptracegrpc.New(ctx, opts...)
	} else {
		compression := otlptracehttp.NoCompression
		if r.Compression == "gzip" {
			compression = otlptracehttp.GzipCompression
		}
		opts := []otlptracehttp.Option{otlptracehttp.WithEndpointURL(r.tracesURL), otlptracehttp.WithHeaders(r.Headers),
			otlptracehttp.WithTimeout(r.Timeout), otlptracehttp.WithCompression(compression),
			// nil for http:// replaces a TLS configuration read from the environment.
			otlptracehttp.WithTLSClientConfig(r.tls)}
		exp, err = otlptracehttp.New(ctx, opts...)
	}
	if err != nil {
		return nil, fmt.Errorf("observability: trace exporter: %w", err)
	}
	return validUTF8Exporter{exp}, nil
}

func stderrIsTerminal() bool {
	return term.IsTerminal(int(os.Stderr.Fd()))
}
