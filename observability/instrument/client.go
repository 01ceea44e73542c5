package instrument

import (
	"net/http"
	"reflect"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/observability/internal/spanerr"
	"github.com/footingdev/footing/observability/semconv"
)

// Transport returns an [http.RoundTripper] that gives each outgoing request a
// client span, sends the trace context and baggage in its headers, and records
// http.client.request.duration. A nil base means [http.DefaultTransport]. The
// request is cloned before its headers change, as RoundTripper requires.
func Transport(base http.RoundTripper, opts ...Option) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	c := newConfig(opts)
	t := &transport{base: base, c: c, tracer: c.tp.Tracer(ScopeName), attrs: attrCache[httpKey]{make: httpAttrs}}
	// Instrument creation fails only for invalid names, which this is not.
	t.duration, _ = c.mp.Meter(ScopeName).Float64Histogram(semconv.HTTPClientRequestDuration.Name,
		metric.WithUnit(semconv.HTTPClientRequestDuration.Unit),
		metric.WithDescription(semconv.HTTPClientRequestDuration.Description))
	return t
}

type transport struct {
	base     http.RoundTripper
	c        *config
	tracer   trace.Tracer
	duration metric.Float64Histogram
	attrs    attrCache[httpKey]
}

// RoundTrip sends r in a client span, with the trace context in its headers.
func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	method := normalizeMethod(r.Method)
	ctx, span := t.tracer.Start(r.Context(), spanMethod(method), clientKind...)
	if span.IsRecording() {
		span.SetAttributes(
			attribute.String(semconv.AttrHTTPMethod, method),
			attribute.String(semconv.AttrServerAddress, r.URL.Host),
			attribute.String(attrURLFull, redactedURL(r.URL)),
		)
	}
	r = r.Clone(ctx)
	t.c.prop.Inject(ctx, headerCarrier(r.Header))
	resp, err := t.base.RoundTrip(r)
	status := 0
	if err != nil {
		if span.IsRecording() { // err.Error() may build a string
			// The error's text may name the URL, query included: redacted.
			span.SetStatus(codes.Error, recordError(span, err, r.URL.RawQuery))
		}
	} else {
		status = resp.StatusCode
		if span.IsRecording() {
			span.SetAttributes(attribute.Int(semconv.AttrHTTPStatusCode, status))
			if status >= 400 {
				span.SetStatus(codes.Error, http.StatusText(status))
			}
		}
	}
	span.End()
	t.duration.Record(ctx, time.Since(start).Seconds(),
		t.attrs.get(httpKey{method: method, scheme: normalizeScheme(r.URL.Scheme), status: status}).rec...)
	return resp, err
}

// recordError records err on span as spanerr.Record does, and returns the
// message recorded; when err's text names the request's raw query q, the
// query is first redacted as url.full's is (redactedQuery): logging.Redact,
// which spanerr applies, knows neither ?code= nor ?key=.
func recordError(span trace.Span, err error, q string) string {
	if q == "" {
		return spanerr.Record(span, err)
	}
	red := redactedQuery(q)
	text := err.Error()
	if red == q || !strings.Contains(text, q) {
		return spanerr.Record(span, err)
	}
	msg := spanerr.Message(strings.ReplaceAll(text, q, red))
	span.AddEvent("exception", trace.WithAttributes(
		attribute.String("exception.type", errorType(err)),
		attribute.String("exception.message", msg)))
	return msg
}

// errorType names err's type as the SDK's RecordError and spanerr do
// ("*url.Error" for a pointer to a named type; package path and name
// otherwise).
func errorType(err error) string {
	t := reflect.TypeOf(err)
	if t.PkgPath() == "" && t.Name() == "" {
		return t.String()
	}
	return t.PkgPath() + "." + t.Name()
}
