package instrument

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/observability/internal/accessline"
	"github.com/footingdev/footing/observability/internal/attrredact"
	"github.com/footingdev/footing/observability/logging"
	"github.com/footingdev/footing/observability/semconv"
)

type httpServer struct {
	c        *config
	tracer   trace.Tracer
	duration metric.Float64Histogram
	active   metric.Int64UpDownCounter
	size     metric.Int64Histogram
	attrs    attrCache[httpKey]
}

// Middleware returns HTTP server middleware that gives each request a server span
// (continuing the caller's trace context), the http.server.* metrics and one
// access-log line. The span is named "METHOD route" once the inner handler has
// routed the request (http.ServeMux sets [http.Request.Pattern]), or after the
// procedure when a Connect handler with [NewInterceptor] served it.
//
// The middleware must be safe to call concurrently, and is.
func Middleware(opts ...Option) func(http.Handler) http.Handler {
	s := newHTTPServer(newConfig(opts))
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.serve(next, w, r)
		})
	}
}

func newHTTPServer(c *config) *httpServer {
	meter := c.mp.Meter(ScopeName)
	s := &httpServer{c: c, tracer: c.tp.Tracer(ScopeName), attrs: attrCache[httpKey]{make: httpAttrs}}
	// Instrument creation fails only for invalid names, which these are not; the
	// API returns a working no-op instrument in that case anyway.
	s.duration, _ = meter.Float64Histogram(semconv.HTTPServerRequestDuration.Name,
		metric.WithUnit(semconv.HTTPServerRequestDuration.Unit),
		metric.WithDescription(semconv.HTTPServerRequestDuration.Description),
		metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10))
	s.active, _ = meter.Int64UpDownCounter(semconv.HTTPServerActiveRequests.Name,
		metric.WithUnit(semconv.HTTPServerActiveRequests.Unit),
		metric.WithDescription(semconv.HTTPServerActiveRequests.Description))
	s.size, _ = meter.Int64Histogram(semconv.HTTPServerResponseBodySize.Name,
		metric.WithUnit(semconv.HTTPServerResponseBodySize.Unit),
		metric.WithDescription(semconv.HTTPServerResponseBodySize.Description))
	return s
}

func (s *httpServer) serve(next http.Handler, w http.ResponseWriter, r *http.Request) {
	ctx := s.c.prop.Extract(r.Context(), headerCarrier(r.Header))
	// One allocation for the state the layers below report to and the writer
	// that watches the response.
	rw := &responseWriter{ResponseWriter: w}
	rw.ctx = stateCtx{Context: ctx, st: &rw.state}
	ctx = &rw.ctx
	method := normalizeMethod(r.Method)
	ctx, span := s.tracer.Start(ctx, spanMethod(method), serverKind...)
	rw.state.span = span // before any layer below can read it
	// A recording span has read the clock already: its start is the request's.
	start, timed := spanStart(span)
	if !timed {
		start = time.Now()
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	var activeAttrs measureOpts
	if s.c.optionalMetrics {
		activeAttrs = s.attrs.get(httpKey{method: method, scheme: scheme})
		s.active.Add(ctx, 1, activeAttrs.add...)
	}

	r = r.WithContext(ctx)
	if r.Body != nil && r.ContentLength < 0 {
		// A body of unknown length (chunked, or a stream): count what is read.
		rw.body.ReadCloser = r.Body
		r.Body = &rw.body
	}
	defer func() {
		// A panic still ends the span and counts as a 500; the panic goes on to
		// whatever recovers it.
		p := recover()
		if p != nil && rw.status == 0 {
			rw.status = http.StatusInternalServerError
		}
		s.finish(ctx, span, r, rw, start, timed, method, scheme, activeAttrs)
		if p != nil {
			panic(p)
		}
	}()
	next.ServeHTTP(rw, r)
}

func (s *httpServer) finish(ctx context.Context, span trace.Span, r *http.Request, rw *responseWriter,
	start time.Time, timed bool, method, scheme string, activeAttrs measureOpts) {
	status := rw.status
	if status == 0 {
		status = http.StatusOK
		if rw.hijacked {
			// The handler took the connection: 101 if it said so through
			// the writer, else unknown (0: no status on the span, the
			// metrics or the line) rather than a 200 never sent.
			status = 0
			if rw.info == http.StatusSwitchingProtocols {
				status = rw.info
			}
		}
	}
	st := &rw.state
	st.mu.Lock()
	procedure, code, rpcCode, tenant, user, requestID, rpc := st.procedure, st.code, st.rpcCode, st.tenant, st.user, st.requestID, st.rpc
	extra := st.attrs
	st.mu.Unlock()
	// A Connect call's route is its procedure: the pattern is not looked at.
	route := procedure
	if route == "" {
		route = patternRoute(r, r.Pattern)
		if route == "" && s.c.router != nil {
			// A layer between here and the mux passed on a copy of r, whose
			// Pattern the mux set (see WithRouter).
			_, pattern := s.c.router.Handler(r)
			route = patternRoute(r, pattern)
		}
	}

	// The path as the line shows it (linePath), made once for the span and
	// the line, and only when one of them is written.
	var path string
	recording := span.IsRecording()
	if recording {
		path = routePath(r.URL.Path, route)
		switch {
		case procedure != "":
			span.SetName(procedure)
		case route != "":
			span.SetName(spanMethod(method) + " " + route)
		}
		// Every attribute in one call, made at the end: each call grows the
		// span's storage, and the interceptor's attributes come through st.
		kv := getKVs()
		*kv = append((*kv)[:0],
			attribute.String(semconv.AttrHTTPMethod, method),
			attribute.String(semconv.AttrURLScheme, scheme),
			attribute.String(semconv.AttrURLPath, spanPath(r.URL.Path, path)),
			attribute.String(semconv.AttrServerAddress, r.Host),
		)
		if r.URL.RawQuery != "" {
			*kv = append(*kv, attribute.String(attrURLQuery, redactedQuery(r.URL.RawQuery)))
		}
		if status != 0 {
			*kv = append(*kv, attribute.Int(semconv.AttrHTTPStatusCode, status))
		}
		if route != "" {
			*kv = append(*kv, attribute.String(semconv.AttrHTTPRoute, route))
		}
		if procedure != "" {
			*kv = appendRPCAttrs(*kv, procedure, tenant, user, requestID, rpcCode)
		}
		span.SetAttributes(*kv...)
		putKVs(kv)
		if status >= 500 {
			span.SetStatus(codes.Error, http.StatusText(status))
		}
	}
	span.End()
	// The span's end is the request's, when the span read the clock.
	end := spanEnd(span, timed)
	elapsed := end.Sub(start)

	attrs := s.attrs.get(httpKey{method: method, route: route, scheme: scheme, status: status})
	s.duration.Record(ctx, elapsed.Seconds(), attrs.rec...)
	if s.c.optionalMetrics {
		s.active.Add(ctx, -1, activeAttrs.add...)
		s.size.Record(ctx, rw.bytes, attrs.rec...)
	}
	if rpc != nil {
		// A Connect call behind this middleware: its duration is the request's.
		rpc.recordServer(ctx, elapsed, procedure, rpcCode)
	}

	if !s.c.accessLog {
		return
	}
	level := s.c.level
	if status >= 500 {
		level = slog.LevelError
	}
	if !s.c.enabled(ctx, level) {
		return
	}
	if requestID == "" {
		requestID = identity.RequestID(ctx)
	}
	if tenant == "" || user == "" {
		p, _ := identity.PrincipalFrom(ctx)
		if tenant == "" {
			tenant = p.GetTenantId()
		}
		if user == "" {
			user = p.GetUserId()
		}
	}
	if !recording {
		path = routePath(r.URL.Path, route)
	}
	line := accessline.Line{
		Method: r.Method, Route: route, Path: path, Status: status, Duration: elapsed,
		BytesIn: bytesIn(r, rw), BytesOut: rw.bytes, Hijacked: rw.hijacked,
		Code: code, RequestID: requestID, Tenant: tenant, User: user, Extra: extra,
	}
	if s.c.lineHandler == nil {
		redactLine(&line)
	}
	s.c.logLine(ctx, end, level, accessline.Message, &line)
}

// redactLine redacts, by the rules footing's handler applies, the parts of
// the line that its callers give it, for a logger whose handler is not
// footing's and redacts nothing (a slog.JSONHandler, a handler of the
// service's own): the attributes added with [Annotate] (a secret key's
// value, a bearer token, an error's DSN, an API key as a key), the request
// id (a client's header, which may hold a JWT), the tenant and user, and the
// method (any token a client sends). The path is linePath's already.
// Footing's handler redacts the line itself, on its fast path or not: it is
// not asked to pay for this.
func redactLine(l *accessline.Line) {
	l.Method = logging.Redact(l.Method)
	l.RequestID = logging.Redact(l.RequestID)
	l.Tenant = logging.Redact(l.Tenant)
	l.User = logging.Redact(l.User)
	if len(l.Extra) > 0 {
		l.Extra = attrredact.Attrs(l.Extra)
	}
}

// patternRoute is the route of pattern, the Pattern http.ServeMux gave r, or
// "" when pattern is not one of the mux's patterns but the path it redirects
// r to: for a CONNECT request to "/tree" that only "/tree/" (or
// "/tenants/{tenant}/") matches, ServeMux reports the request's own path,
// cleaned, plus "/". A client could otherwise mint a route, and a metric
// series, per request.
func patternRoute(r *http.Request, pattern string) string {
	if r.Method == http.MethodConnect && strings.HasSuffix(pattern, "/") && pattern == cleanPath(r.URL.Path)+"/" {
		return ""
	}
	return routeOf(pattern)
}

// cleanPath is http.ServeMux's cleaning of a path: rooted, without . and ..
// elements or repeated slashes, a trailing slash kept.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np
}

// bytesIn is the size of the request body: its Content-Length when the client
// declared one, else what the handler read of it.
func bytesIn(r *http.Request, rw *responseWriter) int64 {
	if r.ContentLength >= 0 {
		return r.ContentLength
	}
	return rw.body.n.Load()
}

// countingBody counts the bytes read from a request body. The count is atomic:
// a streaming handler may leave a goroutine reading after it returns.
type countingBody struct {
	io.ReadCloser
	n atomic.Int64
}

// Read counts the bytes read.
func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// responseWriter remembers the status and counts the body bytes. It is an
// [http.Flusher] and an [http.Hijacker], and unwraps for
// [http.ResponseController], so flushing, deadlines, hijacking and full duplex
// (which Connect streaming uses) still reach the real writer.
type responseWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	// info is the last informational status (1xx) written before any final
	// one; hijacked says the handler took the connection over.
	info     int
	hijacked bool
	body     countingBody // the request's, when its length is unknown
	state    requestState
	ctx      stateCtx
}

// WriteHeader remembers the first final status, and the last informational
// one before it (101 before a hijack).
func (w *responseWriter) WriteHeader(code int) {
	if w.status == 0 {
		if code >= 200 {
			w.status = code
		} else {
			w.info = code
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write counts the body bytes.
func (w *responseWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Flush flushes the underlying writer when it can.
func (w *responseWriter) Flush() {
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack hands the connection over to the handler, when the underlying writer
// can (HTTP/1.x), for callers that assert [http.Hijacker] instead of using
// [http.ResponseController]: WebSocket upgraders such as gorilla/websocket.
// The access line then says hijacked=true (see [Middleware]).
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.hijacked = true
	}
	return conn, brw, err
}

// Unwrap returns the underlying writer for [http.ResponseController].
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
