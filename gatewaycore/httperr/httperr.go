package httperr

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
)

// An InternalErrorHook is told about every internal error a [Writer] writes, with the
// error id the caller received and the real cause. It must be safe to call concurrently.
type InternalErrorHook func(ctx context.Context, r *http.Request, e *errs.InternalError)

// An Option configures a [Writer].
type Option func(*Writer)

// WithInternalErrorHook sets the hook told about internal errors. A nil hook is ignored.
func WithInternalErrorHook(hook InternalErrorHook) Option {
	return func(w *Writer) {
		if hook != nil {
			w.hook = hook
		}
	}
}

// A Writer writes errors as HTTP responses. It is safe to use concurrently.
type Writer struct {
	hook InternalErrorHook
	ew   *connect.ErrorWriter
}

// New returns a [Writer].
func New(opts ...Option) *Writer {
	w := &Writer{ew: connect.NewErrorWriter()}
	for _, opt := range opts {
		opt(w)
	}
	return w
}

var defaultWriter = New()

// Write writes err to w with a [Writer] that has no hook.
func Write(w http.ResponseWriter, r *http.Request, err error) {
	defaultWriter.Write(w, r, err)
}

// Write writes err as the response to r. The error is first held to the error model
// (see [Writer.Normalize]); the response then carries its HTTP status, a Retry-After
// header for RetryInfo, and the body in the request's protocol (Connect JSON unless
// the request is gRPC, gRPC-Web or Connect streaming). Nothing must have been written
// to w before. Headers already set on w are sent too, except those that describe a
// body of the handler's — Content-Length, Content-Encoding, Content-Range — since
// the error's body replaces it.
func (wr *Writer) Write(w http.ResponseWriter, r *http.Request, err error) {
	cerr := wr.Normalize(r.Context(), r, err)
	h := w.Header()
	for _, k := range bodyHeaders {
		delete(h, k)
	}
	if d, ok := errs.RetryAfter(cerr); ok {
		h.Set("Retry-After", RetryAfterSeconds(d.Seconds()))
	}
	_ = wr.ew.Write(w, r, cerr) // A failed write means the client went away.
}

// bodyHeaders describe a response body (canonical keys); [Writer.Write] drops them,
// since a handler that set them for its own body and then failed would otherwise
// have the error cut to its length or labelled with its encoding.
var bodyHeaders = [...]string{"Content-Length", "Content-Encoding", "Content-Range"}

// WriteStatus writes err like [Writer.Write] but with the given HTTP status for
// plain (Connect unary or unknown protocol) requests, for the few statuses the error
// codes do not express, such as 413 Content Too Large.
func (wr *Writer) WriteStatus(w http.ResponseWriter, r *http.Request, status int, err error) {
	if IsFramedRPC(r) {
		wr.Write(w, r, err)
		return
	}
	wr.Write(&statusOverride{ResponseWriter: w, status: status}, r, err)
}

// IsFramedRPC reports whether r is a gRPC, gRPC-Web or Connect streaming request,
// whose errors travel in trailers or end-of-stream messages rather than in the
// HTTP status.
func IsFramedRPC(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return strings.HasPrefix(ct, "application/grpc") || strings.HasPrefix(ct, "application/connect+")
}

type statusOverride struct {
	http.ResponseWriter
	status int
}

func (s *statusOverride) WriteHeader(int) { s.ResponseWriter.WriteHeader(s.status) }

// RetryAfterSeconds formats seconds as a Retry-After value: whole seconds, rounded
// up, at least 1 for any positive delay.
func RetryAfterSeconds(seconds float64) string {
	if seconds <= 0 || math.IsNaN(seconds) {
		return "0"
	}
	return strconv.FormatInt(int64(math.Ceil(min(seconds, 1<<31))), 10)
}

// Normalize returns err as a *connect.Error that obeys the error model, by the
// rules of contracts/errs.Normalize, which Connect handlers get through
// errs.NewInterceptor: context.Canceled and context.DeadlineExceeded become Canceled
// and DeadlineExceeded; errors that are not *connect.Error, and *connect.Error with
// code Unknown, Internal or DataLoss not built by errs.Internal, become errs.Internal
// (the hook is told); a network failure's text and a peer's response headers and
// request id are not passed on, and a peer's message and details are bounded; the
// request id in ctx is added when the error has none.
func (wr *Writer) Normalize(ctx context.Context, r *http.Request, err error) *connect.Error {
	return errs.Normalize(ctx, err, func(ie *errs.InternalError) { wr.tell(ctx, r, ie) })
}

func (wr *Writer) tell(ctx context.Context, r *http.Request, ie *errs.InternalError) {
	if wr.hook != nil {
		wr.hook(ctx, r, ie)
	}
}

// A HandlerFunc is an HTTP handler that returns an error; [HandlerFunc.ServeHTTP]
// writes that error with the default [Writer]. Use [Writer.Handler] for one with a hook.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP calls f and writes its error, if any, with [Write].
func (f HandlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := f(w, r); err != nil {
		Write(w, r, err)
	}
}

// Handler returns an [http.Handler] that calls f and writes its error with wr.
func (wr *Writer) Handler(f HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := f(w, r); err != nil {
			wr.Write(w, r, err)
		}
	})
}
