package errs

import (
	"context"
	"errors"
	"net"
	"reflect"
	"unicode/utf8"

	"connectrpc.com/connect"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
)

// An InternalErrorHook is told about every internal error a handler returned, with the
// error id the caller received and the real cause. It is where the cause gets logged.
// It must be safe to call concurrently.
type InternalErrorHook func(ctx context.Context, procedure string, e *InternalError)

// An InterceptorOption configures the interceptor built by [NewInterceptor].
type InterceptorOption func(*interceptor)

// WithInternalErrorHook sets the hook told about internal errors. A nil hook is ignored.
func WithInternalErrorHook(hook InternalErrorHook) InterceptorOption {
	return func(i *interceptor) {
		if hook != nil {
			i.hook = hook
		}
	}
}

// ReasonUpstreamFailed is the reason of the error [NewInterceptor] answers in place of
// a network failure to reach another service, whose text would name that service's
// address.
const ReasonUpstreamFailed = "UPSTREAM_FAILED"

const upstreamFailedMessage = "a service this call depends on failed"

// MaxPeerMessageLen is the longest message, in bytes, of an error received from
// another service that [NewInterceptor] passes on; a longer one is cut (at a UTF-8
// boundary) and ends with "…". A gRPC caller gets the message in a trailer, and one
// too large for it would turn the error into a broken stream.
const MaxPeerMessageLen = 4096

// MaxPeerDetailsLen is the most bytes of details, in all, of an error received from
// another service that [NewInterceptor] passes on: details past it (in the order the
// peer sent them) are dropped, for the same reason as [MaxPeerMessageLen].
const MaxPeerDetailsLen = 64 << 10

var (
	errNilConnectError = errors.New("errs: the handler returned a nil *connect.Error as a non-nil error")
	errNilGRPCStatus   = errors.New("errs: the handler returned a nil pointer with a GRPCStatus method as a non-nil error")
)

// NewInterceptor returns a server-side [connect.Interceptor] that holds every error a
// handler returns, unary or streaming, to the error model:
//
//   - context.Canceled and context.DeadlineExceeded become Canceled and DeadlineExceeded;
//   - any other error that is not a *connect.Error, and any *connect.Error with code
//     Unknown, Internal or DataLoss that was not built by [Internal], is replaced by an
//     [Internal] error, so its message never reaches the caller (if it wraps one built
//     by Internal, the replacement keeps that one's error id);
//   - a *connect.Error with another code whose cause is a network failure (a
//     [net.Error], such as the dial error a client makes when the service it calls
//     is down, or a read that timed out) keeps its code but gets reason
//     [ReasonUpstreamFailed] and a generic message, the failure staying behind it on
//     the server as with [WithCause]; context.DeadlineExceeded, a net.Error too, is
//     the call running out of time and does not count as one;
//   - an error received from another service keeps its code, message and details,
//     but not that service's response headers, request id, or the google.rpc
//     DebugInfo and RequestInfo details it meant for its own developers;
//   - an error carrying a gRPC status (a GRPCStatus method: those of a grpc-go
//     client, bare or wrapped) is an error received from another service, the
//     *connect.Error a Connect client gets for the same answer (same code, the
//     status's own message, its details) under the rules above — Unknown, Internal
//     and DataLoss hidden, the rest passed on — but for what grpc-go makes itself:
//     it says nothing of whether a status came from the peer or from the client, and
//     the client's statuses carry no details but do carry the text of a failure
//     naming the peer (its address, a credential's error), with the codes
//     Unavailable, Unauthenticated, DeadlineExceeded and Canceled. A status of one of
//     these four codes with no details therefore keeps its code but not its text:
//     Unavailable and Unauthenticated get reason [ReasonUpstreamFailed] and the
//     generic message, as a network failure does; DeadlineExceeded and Canceled the
//     text of context.DeadlineExceeded and context.Canceled, as a Connect client's
//     own errors have. A status of code OK in a non-nil error (a bug of whoever
//     made it) is an error without a code, answered Internal;
//   - the request id from [identity.RequestID] is added to errors that lack one.
//
// It holds only the errors that pass through it: put it first in
// connect.WithInterceptors (the outermost), so that the errors of the interceptors
// after it, such as a validation or authentication refusal, are held too. On clients
// it does nothing.
func NewInterceptor(opts ...InterceptorOption) connect.Interceptor {
	i := &interceptor{}
	for _, opt := range opts {
		opt(i)
	}
	return i
}

type interceptor struct {
	hook InternalErrorHook
}

func (i *interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		res, err := next(ctx, req)
		if err != nil && !req.Spec().IsClient {
			return nil, i.normalize(ctx, req.Spec().Procedure, err)
		}
		return res, err
	}
}

func (i *interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i *interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		if err := next(ctx, conn); err != nil {
			return i.normalize(ctx, conn.Spec().Procedure, err)
		}
		return nil
	}
}

func (i *interceptor) normalize(ctx context.Context, procedure string, err error) error {
	return Normalize(ctx, err, func(ie *InternalError) { i.tell(ctx, procedure, ie) })
}

// Normalize returns err as the *connect.Error a handler answers under the error
// model, by the rules [NewInterceptor] applies (its doc lists them): the request id
// from [identity.RequestID] is added, Internal causes hide behind an error id, a
// network failure's text and a peer's headers and request id are not passed on, a
// peer's message and details are bounded, and an error carrying a gRPC status is
// answered as a Connect peer's error of the same code, message and details. onInternal, if not nil, is called with
// every [InternalError] the answer carries, for logging under its id. Plain HTTP
// handlers (gatewaycore/httperr) use it so that every protocol answers alike.
func Normalize(ctx context.Context, err error, onInternal func(*InternalError)) *connect.Error {
	tell := func(ie *InternalError) {
		if onInternal != nil {
			onInternal(ie)
		}
	}
	requestID := identity.RequestID(ctx)
	var cerr *connect.Error
	isConnect := errors.As(err, &cerr)
	if isConnect && cerr == nil {
		// A nil *connect.Error returned as a non-nil error, whose methods panic.
		isConnect, err = false, errNilConnectError
	}
	fromGRPC := false
	if !isConnect {
		// A grpc-go client's error: the *connect.Error a Connect client would have
		// received for the same answer, held to the same rules below.
		g, ok, broken := fromGRPCStatus(err)
		switch {
		case broken:
			err = errNilGRPCStatus
		case ok:
			cerr, isConnect, fromGRPC = g, true, true
		}
	}
	if ie, ok := AsInternal(err); ok {
		// Built by Internal (or an *InternalError returned bare): keep its id.
		tell(ie)
		if !isConnect || (hidesCause(cerr.Code()) && !builtByInternal(cerr)) {
			// Bare, or inside a *connect.Error of an internal code that Internal did
			// not build, whose message may hold the handler's words around it.
			return build(connect.CodeInternal, ie, "INTERNAL", &spec{errorID: ie.ID, requestID: requestID})
		}
		return ensureRequestID(cerr, requestID)
	}
	switch {
	case isConnect:
		switch cerr.Code() {
		case connect.CodeUnknown, connect.CodeInternal, connect.CodeDataLoss:
			// Its message may carry an internal cause: replace it below.
		default:
			if fromGRPC {
				if out, ok := grpcClientFailure(cerr, err, requestID); ok {
					return out
				}
				return ensureRequestID(cerr, requestID)
			}
			if !builtWithCause(cerr) && !connect.IsWireError(cerr) && networkFailure(err, 0) {
				// A network failure reaching another service, made into an error by
				// a client (or by the handler): its text names the peer's address.
				return New(cerr.Code(), ReasonUpstreamFailed, upstreamFailedMessage,
					WithCause(err), WithRequestID(requestID))
			}
			return ensureRequestID(cerr, requestID)
		}
	case errors.Is(err, context.Canceled):
		return New(connect.CodeCanceled, "CANCELED", "the call was canceled", WithRequestID(requestID))
	case errors.Is(err, context.DeadlineExceeded):
		return New(connect.CodeDeadlineExceeded, "DEADLINE_EXCEEDED", "the call ran out of time", WithRequestID(requestID))
	}
	out := Internal(err, WithRequestID(requestID))
	ie, _ := AsInternal(out)
	tell(ie)
	return out
}

// networkFailure reports whether err's tree holds a [net.Error] other than
// context.DeadlineExceeded, which satisfies net.Error (it is a timeout) but is the
// call running out of time, not a service it depends on failing. depth bounds the
// walk against an error that unwraps to itself.
func networkFailure(err error, depth int) bool {
	if err == nil || depth > maxUnwrapDepth {
		return false
	}
	if ne, ok := err.(net.Error); ok && ne != context.DeadlineExceeded { //nolint:errorlint // each link of the tree is looked at here
		return true
	}
	switch u := err.(type) { //nolint:errorlint // as above
	case interface{ Unwrap() error }:
		return networkFailure(u.Unwrap(), depth+1)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if networkFailure(e, depth+1) {
				return true
			}
		}
	}
	return false
}

// maxUnwrapDepth is how deep networkFailure looks into an error's tree.
const maxUnwrapDepth = 100

func (i *interceptor) tell(ctx context.Context, procedure string, ie *InternalError) {
	if i.hook != nil {
		i.hook(ctx, procedure, ie)
	}
}

// ensureRequestID returns cerr if it already names a request id or there is none to
// add, else a copy of cerr with a RequestInfo detail. cerr itself may be shared (a
// package-level error value) and is never modified.
//
// An error received from a peer (a wire error, passed on by a handler that called
// another service) is always copied, and the copy keeps only its code, message and
// details, bounded by [MaxPeerMessageLen] and [MaxPeerDetailsLen]: not the peer's
// response headers and trailers, which connect-go drops from a wire error but would
// send from a copy, nor the peer's RequestInfo, whose request id is not this
// request's, nor the [peerOnly] details a peer keeps for its own developers.
func ensureRequestID(cerr *connect.Error, requestID string) *connect.Error {
	requestID = validUTF8(requestID)
	wire := connect.IsWireError(cerr)
	if !wire && (requestID == "" || From(cerr).RequestID != "") {
		return cerr
	}
	out := connect.NewError(cerr.Code(), errors.Unwrap(cerr))
	if wire {
		out = connect.NewError(cerr.Code(), errors.New(peerMessage(cerr.Message())))
	}
	info := &commonv1.RequestInfo{RequestId: requestID}
	detailsLen := 0
	for _, d := range cerr.Details() {
		if wire {
			if peerOnly[d.Type()] {
				continue // The peer's debugging aids, for its developers.
			}
			if n := len(d.Type()) + len(d.Bytes()); detailsLen+n <= MaxPeerDetailsLen {
				detailsLen += n
			} else {
				continue // Too much from a peer: not passed on.
			}
		}
		if d.Type() == typeRequestInfo {
			if v, err := d.Value(); err == nil && !wire {
				if old, ok := v.(*commonv1.RequestInfo); ok {
					info.ErrorId = old.GetErrorId() // Replaced below, keeping the error id.
				}
			}
			continue
		}
		out.AddDetail(d)
	}
	if !wire && hasMeta(cerr) {
		for k, vs := range cerr.Meta() {
			out.Meta()[k] = vs
		}
	}
	if info.GetRequestId() != "" || info.GetErrorId() != "" {
		addDetail(out, info)
	}
	return out
}

// hasMeta reports whether cerr may carry headers, without calling cerr.Meta when it
// has none: Meta creates the header map on first use, a write that races with every
// other reader of an error value shared between requests (a package-level error),
// which connect-go itself only reads. Should connect-go's field ever be named
// otherwise, it reports true, so that no header is lost.
func hasMeta(cerr *connect.Error) bool {
	f := reflect.ValueOf(cerr).Elem().FieldByName("meta")
	return !f.IsValid() || f.Kind() != reflect.Map || !f.IsNil()
}

// peerOnly are the detail types of an error received from a peer that are never
// passed on: google.rpc.DebugInfo (stack entries and the failure's own text) and
// google.rpc.RequestInfo (the peer's request id and serving data, "for example an
// encrypted stack trace"), which google.rpc says are for the service's developers.
// Footing's own RequestInfo is replaced by this request's.
var peerOnly = map[string]bool{
	"google.rpc.DebugInfo":   true,
	"google.rpc.RequestInfo": true,
}

// peerMessage returns msg, valid UTF-8 and at most MaxPeerMessageLen bytes long.
func peerMessage(msg string) string {
	msg = validUTF8(msg)
	if len(msg) <= MaxPeerMessageLen {
		return msg
	}
	const ellipsis = "…"
	cut := MaxPeerMessageLen - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + ellipsis
}

// hidesCause reports whether code is one whose message the interceptor never passes
// on unless [Internal] built the error.
func hidesCause(code connect.Code) bool {
	return code == connect.CodeUnknown || code == connect.CodeInternal || code == connect.CodeDataLoss
}

// builtByInternal reports whether cerr was built by [Internal] (or by Normalize for
// an *InternalError): its message is [InternalMessage] with the error id, nothing
// more.
func builtByInternal(cerr *connect.Error) bool {
	_, ok := errors.Unwrap(cerr).(*InternalError) //nolint:errorlint // its own underlying error, not one wrapped deeper.
	return ok
}

// builtWithCause reports whether cerr was built by this package with [WithCause]: its
// message is the handler's choice, whatever its cause.
func builtWithCause(cerr *connect.Error) bool {
	var caused *causedError
	return errors.As(errors.Unwrap(cerr), &caused)
}
