package instrument_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/observability/instrument"
	"github.com/footingdev/footing/observability/logging"
	"github.com/footingdev/footing/observability/tracing"
)

// TestUnsampledParentPropagates sends a request whose caller did not sample
// the trace: the handler must see a span context of the caller's trace, with a
// span id of its own, not sampled; a call it makes must carry the same trace id
// and the sampled flag off; and the access-log line must name that trace and
// span.
func TestUnsampledParentPropagates(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.ParentBased(sdktrace.AlwaysSample()))
	const (
		traceID  = "4bf92f3577b34da6a3ce929d0e0e4736"
		parentID = "00f067aa0ba902b7"
	)
	var seen trace.SpanContext
	var outgoing string
	downstream := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		outgoing = r.Header.Get("traceparent")
	}))
	t.Cleanup(downstream.Close)
	client := &http.Client{Transport: instrument.Transport(downstream.Client().Transport, b.opts()...)}
	// footing's handler, which writes the trace and span ids of the context.
	logger := slog.New(logging.NewHandler(b.logs, nil))
	h := instrument.Middleware(append(b.opts(), instrument.WithLogger(logger))...)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		seen = trace.SpanContextFromContext(r.Context())
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, downstream.URL, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		_ = resp.Body.Close()
	}))
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/x", nil)
	req.Header.Set("traceparent", "00-"+traceID+"-"+parentID+"-00")
	h.ServeHTTP(httptest.NewRecorder(), req)

	if seen.TraceID().String() != traceID || seen.IsSampled() || !seen.SpanID().IsValid() ||
		seen.SpanID().String() == parentID || seen.IsRemote() {
		t.Fatalf("handler saw %v, want trace %s, a span id of its own, not sampled, local", seen, traceID)
	}
	// The Transport's span is a child of the handler's: same trace, a new
	// span id, flag 00.
	out := trace.SpanContextFromContext(tracing.Propagator().Extract(context.Background(),
		headerMap{"traceparent": outgoing}))
	if !out.IsValid() || out.TraceID().String() != traceID || out.IsSampled() || out.SpanID() == seen.SpanID() {
		t.Fatalf("outgoing traceparent %q, want trace %s, the client span's own id, not sampled", outgoing, traceID)
	}
	if n := len(b.spans.Ended()); n != 0 {
		t.Fatalf("%d spans recorded under an unsampled parent", n)
	}
	lines := b.lines(t)
	if len(lines) != 1 || lines[0]["trace_id"] != traceID || lines[0]["span_id"] != seen.SpanID().String() {
		t.Fatalf("access-log lines %v, want one with trace %s span %s", lines, traceID, seen.SpanID())
	}
}

// headerMap is a propagation.TextMapCarrier over plain keys.
type headerMap map[string]string

func (m headerMap) Get(k string) string { return m[k] }
func (m headerMap) Set(k, v string)     { m[k] = v }
func (m headerMap) Keys() []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// TestUnsampledMiddlewareAllocations guards what an unsampled request costs
// the middleware in allocations (no access log): the state and writer (1), the
// SDK's non-recording span and the context that carries it (2), and the
// request with that context (1). The span start options are made once.
func TestUnsampledMiddlewareAllocations(t *testing.T) {
	b := setup(t, sdktrace.NeverSample())
	h := instrument.Middleware(append(b.opts(), instrument.WithAccessLog(false))...)(
		http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	bare := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/x", nil)
	w := httptest.NewRecorder()
	base := testing.AllocsPerRun(200, func() { bare.ServeHTTP(w, req) })
	got := testing.AllocsPerRun(200, func() { h.ServeHTTP(w, req) })
	t.Logf("added allocations: %v", got-base)
	if added := got - base; added > 4 {
		t.Fatalf("unsampled middleware allocates %v per request, want at most 4", added)
	}
}
