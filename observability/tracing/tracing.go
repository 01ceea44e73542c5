package tracing

import (
	"context"
	"errors"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/observability/internal/spanerr"
	"github.com/footingdev/footing/observability/semconv"
)

// ScopeName is the instrumentation scope of spans started by [Start].
const ScopeName = "github.com/footingdev/footing/observability"

// Propagator returns the W3C trace context and baggage propagator.
func Propagator() propagation.TextMapPropagator {
	return propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
}

// Start starts a span of the given kind named name, with attrs, from the global
// TracerProvider, as a child of any span in ctx. When ctx carries a principal or
// a request id (contracts/identity), the span gets the tenant, user and request
// id attributes too. End the span when the work is done.
func Start(ctx context.Context, name string, kind trace.SpanKind, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	ctx, span := otel.GetTracerProvider().Tracer(ScopeName).Start(ctx, name, trace.WithSpanKind(kind))
	if span.IsRecording() {
		span.SetAttributes(attrs...)
		span.SetAttributes(IdentityAttributes(ctx)...)
	}
	return ctx, span
}

// IdentityAttributes returns the tenant, user and request id attributes of the
// caller in ctx; only those that are set.
func IdentityAttributes(ctx context.Context) []attribute.KeyValue {
	return AppendIdentityAttributes(nil, ctx)
}

// AppendIdentityAttributes appends [IdentityAttributes] to kv, for callers that
// keep the slice on the stack.
func AppendIdentityAttributes(kv []attribute.KeyValue, ctx context.Context) []attribute.KeyValue {
	if t, ok := identity.TenantID(ctx); ok {
		kv = append(kv, attribute.String(semconv.AttrTenantID, t))
	}
	if u, ok := identity.UserID(ctx); ok {
		kv = append(kv, attribute.String(semconv.AttrUserID, u))
	}
	if id := identity.RequestID(ctx); id != "" {
		kv = append(kv, attribute.String(semconv.AttrRequestID, id))
	}
	return kv
}

// RecordError records err on span and marks the span as failed. The span gets the
// error's code as error.type (the Connect code name, such as "not_found", or
// "unknown" for errors outside the error model), its reason and, for internal
// errors, its error id, so that the id a user quotes finds the trace. The message
// recorded is the one the caller sees: the cause of an internal error stays out of
// the trace. Messages are redacted as log lines are (logging.Redact): a DSN's
// password, a URL's user info or ?api_key=, a bearer token never reach the
// exception event or the status; the query and fragment of a URL the error
// names are redacted as url.full's are, with the same rules as package
// instrument (?code=, ?key=, a Connect GET call's request message
// connect=v1&…&message=…, become REDACTED); and messages are cut at 8192
// bytes, as an error may quote a client's input whole. A nil err does
// nothing.
func RecordError(span trace.Span, err error) {
	if err == nil || !span.IsRecording() {
		return
	}
	d := errs.From(err)
	attrs := []attribute.KeyValue{attribute.String(semconv.AttrErrorType, CodeName(err))}
	if d.Reason != "" {
		attrs = append(attrs, attribute.String(semconv.AttrReason, d.Reason))
	}
	if d.ErrorID != "" {
		attrs = append(attrs, attribute.String(semconv.AttrErrorID, d.ErrorID))
	}
	if ie, ok := errs.AsInternal(err); ok {
		if d.ErrorID == "" {
			attrs = append(attrs, attribute.String(semconv.AttrErrorID, ie.ID))
		}
		spanerr.Record(span, errors.New(ie.Error()), attrs...)
	} else {
		spanerr.Record(span, err, attrs...)
	}
	span.SetAttributes(attrs...)
	span.SetStatus(codes.Error, spanerr.Message(d.Message))
}

// CodeName returns the Connect code name of err ("not_found"), "unknown" for an
// error outside the error model or with a code outside Connect's set (gRPC
// carries any number, which connect-go keeps), and "ok" for nil.
func CodeName(err error) string {
	if err == nil {
		return "ok"
	}
	if c := connect.CodeOf(err); c <= connect.CodeUnauthenticated {
		return c.String()
	}
	return connect.CodeUnknown.String()
}

// ServerFault reports whether code means the server failed (as opposed to the
// caller), following the OpenTelemetry RPC conventions: unknown,
// deadline_exceeded, unimplemented, internal, unavailable and data_loss; a
// code outside Connect's set counts as unknown.
func ServerFault(code connect.Code) bool {
	switch code {
	case connect.CodeUnknown, connect.CodeDeadlineExceeded, connect.CodeUnimplemented,
		connect.CodeInternal, connect.CodeUnavailable, connect.CodeDataLoss:
		return true
	default:
		return code > connect.CodeUnauthenticated
	}
}
