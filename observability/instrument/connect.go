package instrument

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/observability/logging"
	"github.com/footingdev/footing/observability/semconv"
	"github.com/footingdev/footing/observability/tracing"
)

// An Interceptor traces, measures and logs Connect calls, on clients and handlers,
// unary and streaming. Build one with [NewInterceptor]; it is safe for concurrent
// use.
type Interceptor struct {
	c      *config
	tracer trace.Tracer
	server metric.Float64Histogram
	client metric.Float64Histogram
	active metric.Int64UpDownCounter
	attrs  attrCache[rpcKey]
}

var _ connect.Interceptor = (*Interceptor)(nil)

// NewInterceptor returns an [Interceptor]. Add it to handlers with
// connect.WithInterceptors, and to clients the same way.
//
// On a handler it continues the caller's trace context from the request headers,
// starts a server span named after the procedure, records rpc.server.duration and
// writes one access-log line. Behind [Middleware] it instead renames and enriches
// the middleware's span and adds the procedure and code to the middleware's line.
// On a client it starts a client span, sends the trace context and records
// rpc.client.duration.
func NewInterceptor(opts ...Option) *Interceptor {
	c := newConfig(opts)
	meter := c.mp.Meter(ScopeName)
	i := &Interceptor{c: c, tracer: c.tp.Tracer(ScopeName), attrs: attrCache[rpcKey]{make: rpcAttrs}}
	// Instrument creation fails only for invalid names, which these are not.
	i.server, _ = meter.Float64Histogram(semconv.RPCServerDuration.Name,
		metric.WithUnit(semconv.RPCServerDuration.Unit),
		metric.WithDescription(semconv.RPCServerDuration.Description))
	i.client, _ = meter.Float64Histogram(semconv.RPCClientDuration.Name,
		metric.WithUnit(semconv.RPCClientDuration.Unit),
		metric.WithDescription(semconv.RPCClientDuration.Description))
	i.active, _ = meter.Int64UpDownCounter(semconv.RPCServerActiveRequests.Name,
		metric.WithUnit(semconv.RPCServerActiveRequests.Unit),
		metric.WithDescription(semconv.RPCServerActiveRequests.Description))
	return i
}

// WrapUnary instruments unary calls.
func (i *Interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		spec := req.Spec()
		if spec.IsClient {
			ctx, span, start := i.startClient(ctx, spec.Procedure, req.Header())
			resp, err := next(ctx, req)
			i.endClient(ctx, span, spec.Procedure, start, err)
			return resp, err
		}
		ctx, sc := i.startServer(ctx, spec.Procedure, req.Header(), req.Peer())
		defer i.endPanicking(ctx, sc)
		resp, err := next(ctx, req)
		i.endServer(ctx, sc, err)
		return resp, err
	}
}

// errHandlerPanicked is the error a call whose handler panicked ends with.
var errHandlerPanicked = connect.NewError(connect.CodeInternal, errors.New("handler panicked"))

// endPanicking, deferred around a server call, ends a call whose handler
// panicked as one that failed with internal (its span, rpc.server.duration, the
// active count, and behind Middleware the procedure its span and line are named
// after), then lets the panic go on to whatever recovers it. A call that
// returned was ended by endServer; this then only checks for a panic.
func (i *Interceptor) endPanicking(ctx context.Context, sc serverCall) {
	if p := recover(); p != nil {
		i.endServer(ctx, sc, errHandlerPanicked)
		panic(p)
	}
}

// WrapStreamingHandler instruments streaming handlers; the span covers the
// whole stream.
func (i *Interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		ctx, sc := i.startServer(ctx, conn.Spec().Procedure, conn.RequestHeader(), conn.Peer())
		defer i.endPanicking(ctx, sc)
		err := next(ctx, conn)
		i.endServer(ctx, sc, err)
		return err
	}
}

// WrapStreamingClient instruments streaming clients. The span ends, and
// rpc.client.duration is recorded, once: when a receive reaches the end of the
// stream or fails, when the response is closed, or else when the call's context
// ends (a caller that abandons the stream), with code canceled or
// deadline_exceeded.
func (i *Interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		ctx, span, start := i.startClient(ctx, spec.Procedure, nil)
		conn := next(ctx, spec)
		// Request headers may change until the first Send.
		i.c.prop.Inject(ctx, headerCarrier(conn.RequestHeader()))
		c := &clientConn{StreamingClientConn: conn, i: i, ctx: ctx, span: span, procedure: spec.Procedure, start: start}
		c.stop = context.AfterFunc(ctx, c.abandoned)
		return c
	}
}

func (i *Interceptor) startClient(ctx context.Context, procedure string, header map[string][]string) (context.Context, trace.Span, time.Time) {
	start := time.Now()
	ctx, span := i.tracer.Start(ctx, procedure, clientKind...)
	if span.IsRecording() {
		service, method := splitProcedure(procedure)
		span.SetAttributes(
			attribute.String(semconv.AttrRPCSystem, semconv.RPCSystemConnect),
			attribute.String(semconv.AttrRPCService, service),
			attribute.String(semconv.AttrRPCMethod, method),
		)
	}
	if header != nil {
		i.c.prop.Inject(ctx, headerCarrier(header))
	}
	return ctx, span, start
}

func (i *Interceptor) endClient(ctx context.Context, span trace.Span, procedure string, start time.Time, err error) {
	elapsed := time.Since(start)
	code := ""
	if err != nil {
		code = codeOf(err).String()
		tracing.RecordError(span, err)
	}
	if span.IsRecording() && err != nil {
		span.SetAttributes(attribute.String(semconv.AttrRPCConnectCode, code))
	}
	span.End()
	i.client.Record(ctx, float64(elapsed.Nanoseconds())/1e6, i.attrs.get(rpcKey{procedure: procedure, code: code}).rec...)
}

// codeOf returns err's Connect code, or unknown for a code outside Connect's
// set: gRPC carries any number (grpc-status: 1000), which connect-go keeps as
// the error's code, and the code labels the rpc metrics, so a server called
// (or whose error a handler passes on) could mint a series per number.
func codeOf(err error) connect.Code {
	if c := connect.CodeOf(err); c >= connect.CodeCanceled && c <= connect.CodeUnauthenticated {
		return c
	}
	return connect.CodeUnknown
}

// serverCall is what startServer hands to endServer.
type serverCall struct {
	procedure string
	start     time.Time
	timed     bool // start is the span's, and so will the end be
	span      trace.Span
	owned     bool // the span, the line and the timing are this interceptor's
	st        *requestState
	peer      string
	active    measureOpts
}

func (i *Interceptor) startServer(ctx context.Context, procedure string, header map[string][]string, peer connect.Peer) (context.Context, serverCall) {
	sc := serverCall{procedure: procedure, st: stateFrom(ctx), peer: peer.Addr}
	if sc.st == nil {
		sc.owned = true
		ctx = i.c.prop.Extract(ctx, headerCarrier(header))
		ctx, sc.span = i.tracer.Start(ctx, procedure, serverKind...)
		if sc.start, sc.timed = spanStart(sc.span); !sc.timed {
			sc.start = time.Now()
		}
	} else {
		// Behind Middleware, whose request this call is: the middleware names
		// its span after the procedure, sets the rpc attributes, times the call
		// and records rpc.server.duration, from what endServer reports to st.
		// Errors go on the middleware's span too.
		sc.span = sc.st.span
	}
	if i.c.optionalMetrics {
		sc.active = i.attrs.get(rpcKey{procedure: procedure})
		i.active.Add(ctx, 1, sc.active.add...)
	}
	return ctx, sc
}

// recordServer records rpc.server.duration; code is "" on success.
func (i *Interceptor) recordServer(ctx context.Context, elapsed time.Duration, procedure, code string) {
	i.server.Record(ctx, float64(elapsed.Nanoseconds())/1e6, i.attrs.get(rpcKey{procedure: procedure, code: code}).rec...)
}

func (i *Interceptor) endServer(ctx context.Context, sc serverCall, err error) {
	code, codeName := connect.Code(0), "ok"
	if err != nil {
		code = codeOf(err)
		codeName = code.String()
	}
	p, _ := identity.PrincipalFrom(ctx)
	tenant, user := p.GetTenantId(), p.GetUserId()
	requestID := identity.RequestID(ctx)
	labelCode := ""
	if err != nil {
		labelCode = codeName
	}
	if sc.span.IsRecording() {
		if sc.owned {
			// Behind Middleware, the middleware sets these, with its own, in one call.
			kv := getKVs()
			*kv = appendRPCAttrs((*kv)[:0], sc.procedure, tenant, user, requestID, labelCode)
			sc.span.SetAttributes(*kv...)
			putKVs(kv)
		}
		if err != nil {
			if tracing.ServerFault(code) {
				tracing.RecordError(sc.span, err)
			} else {
				// A caller's mistake is not the server's failure: note the code, keep
				// the status unset, as the RPC conventions say.
				sc.span.SetStatus(codes.Unset, "")
			}
		}
	}
	if i.c.optionalMetrics {
		i.active.Add(ctx, -1, sc.active.add...)
	}
	if !sc.owned {
		sc.st.setRPC(i, sc.procedure, codeName, labelCode, tenant, user, requestID)
		return
	}
	sc.span.End()
	end := spanEnd(sc.span, sc.timed)
	elapsed := end.Sub(sc.start)
	i.recordServer(ctx, elapsed, sc.procedure, labelCode)

	if !i.c.accessLog {
		return
	}
	level := i.c.level
	if err != nil && tracing.ServerFault(code) {
		level = slog.LevelError
	}
	if !i.c.enabled(ctx, level) {
		return
	}
	if i.c.lineHandler == nil {
		// A handler that is not footing's redacts nothing: the caller's parts of
		// the line get footing's rules here, as the access line's do (redactLine).
		requestID, tenant, user = logging.Redact(requestID), logging.Redact(tenant), logging.Redact(user)
	}
	var buf [8]slog.Attr
	la := append(buf[:0],
		slog.String("procedure", sc.procedure),
		slog.String("code", codeName),
		slog.Duration("duration", elapsed),
	)
	if requestID != "" {
		la = append(la, slog.String("request_id", requestID))
	}
	if tenant != "" {
		la = append(la, slog.String("tenant", tenant))
	}
	if user != "" {
		la = append(la, slog.String("user", user))
	}
	if sc.peer != "" {
		la = append(la, slog.String("peer", sc.peer))
	}
	i.c.log(ctx, end, level, "rpc", la)
}

// clientConn ends the client span once: when a receive reaches the end of the
// stream or fails, when the response is closed, or when the call's context ends,
// whichever comes first.
type clientConn struct {
	connect.StreamingClientConn
	i         *Interceptor
	ctx       context.Context // the call's: the span's, for its end and the metric
	span      trace.Span
	procedure string
	start     time.Time
	ended     atomic.Bool
	stop      func() bool // stops the AfterFunc that ends an abandoned call
}

// Receive ends the span when the stream ends or fails.
func (c *clientConn) Receive(msg any) error {
	err := c.StreamingClientConn.Receive(msg)
	if err != nil {
		end := err
		if errors.Is(err, io.EOF) {
			end = nil
		}
		c.finish(end)
	}
	return err
}

// CloseResponse ends the span.
func (c *clientConn) CloseResponse() error {
	err := c.StreamingClientConn.CloseResponse()
	c.finish(nil)
	return err
}

// finish ends the call as the stream ended, on the caller's goroutine: it
// stops the watch on the context first, so that nothing outlives the call.
func (c *clientConn) finish(err error) {
	c.stop()
	c.end(err)
}

// end ends the span and records the duration, the first time it is called.
func (c *clientConn) end(err error) {
	if c.ended.CompareAndSwap(false, true) {
		c.i.endClient(c.ctx, c.span, c.procedure, c.start, err)
	}
}

// abandoned runs when the call's context ends before the stream did: the
// caller stopped reading and will not close the response, or has not yet. The
// error says only why the context ended; its cause, which the caller chose,
// may say more than a trace should.
func (c *clientConn) abandoned() {
	code := connect.CodeCanceled
	if errors.Is(c.ctx.Err(), context.DeadlineExceeded) {
		code = connect.CodeDeadlineExceeded
	}
	c.end(connect.NewError(code, c.ctx.Err()))
}
