package edge

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/textproto"
	"runtime/debug"
	"strings"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/gatewaycore/httperr"
)

// A PanicHook is told about every recovered panic with the error id the caller
// received, the panic value and the stack. It must be safe to call concurrently.
type PanicHook func(ctx context.Context, r *http.Request, errorID string, value any, stack []byte)

// A RecoverOption configures [Recover].
type RecoverOption func(*recoverConfig)

type recoverConfig struct {
	hook PanicHook
}

// WithPanicHook replaces the default hook, which logs with slog at error level.
// A nil hook is ignored.
func WithPanicHook(h PanicHook) RecoverOption {
	return func(c *recoverConfig) {
		if h != nil {
			c.hook = h
		}
	}
}

func logPanic(ctx context.Context, r *http.Request, errorID string, value any, stack []byte) {
	slog.ErrorContext(ctx, "panic serving request", "error_id", errorID, "path", r.URL.Path,
		"panic", fmt.Sprint(value), "stack", string(stack))
}

// Recover returns middleware that turns a panic in the rest of the chain into an
// Internal error: the caller gets a 500 (or its protocol's Internal) with only an
// error id; the hook gets the panic value and stack under that id. http.ErrAbortHandler
// is re-panicked, as net/http expects. If the response had already started, the
// connection is aborted instead.
//
// The error answer keeps the headers already set on the response (the request id
// echo, CORS and security headers of the middlewares around the handler) except
// those that belong to the answer the handler was making, which it drops: cookies
// (Set-Cookie: a half-made session must not go out on an error), the headers that
// describe a body (Content-Type, Content-Length, Content-Encoding, Content-Range,
// Content-Disposition, Content-Language, Content-Location, digests, Grpc-Encoding,
// Connect-Content-Encoding), validators and freshness (ETag, Last-Modified, Expires,
// Age), redirects (Location, Refresh), Trailer, Transfer-Encoding and trailers set
// with [http.TrailerPrefix]; Cache-Control becomes "no-store". The list is fixed
// rather than a record of who set what, so the path without a panic costs nothing
// more; a header on the list set by a middleware around Recover is dropped too.
// Content-Security-Policy and other headers not on the list are kept.
func Recover(opts ...RecoverOption) func(http.Handler) http.Handler {
	c := recoverConfig{hook: logPanic}
	for _, opt := range opts {
		opt(&c)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tw := &trackingWriter{ResponseWriter: w}
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler { //nolint:errorlint // net/http panics with this exact value.
					panic(v)
				}
				cerr := errs.Internal(fmt.Errorf("panic: %v", v))
				ie, _ := errs.AsInternal(cerr)
				c.hook(r.Context(), r, ie.ID, v, debug.Stack())
				if tw.wrote {
					panic(http.ErrAbortHandler)
				}
				dropAnswerHeaders(w.Header())
				httperr.Write(w, r, cerr)
			}()
			next.ServeHTTP(tw, r)
		})
	}
}

// isAnswerHeader reports whether k, a canonical key, names a header of the answer a
// handler was making, which [Recover] drops before writing the error in its place.
func isAnswerHeader(k string) bool {
	switch k {
	case "Set-Cookie",
		"Content-Type", "Content-Length", "Content-Encoding", "Content-Range",
		"Content-Disposition", "Content-Language", "Content-Location",
		"Content-Md5", "Content-Digest", "Repr-Digest", "Digest",
		"Grpc-Encoding", "Connect-Content-Encoding",
		"Etag", "Last-Modified", "Expires", "Age", "Cache-Control",
		"Location", "Refresh",
		"Trailer", "Transfer-Encoding":
		return true
	}
	return false
}

// dropAnswerHeaders removes from h the headers of the answer a panicking handler
// was making (see [Recover]), under any spelling of their names, and marks the error
// answer not to be stored. It runs only after a panic.
func dropAnswerHeaders(h http.Header) {
	for k := range h {
		if isAnswerHeader(textproto.CanonicalMIMEHeaderKey(k)) ||
			len(k) >= len(http.TrailerPrefix) && strings.EqualFold(k[:len(http.TrailerPrefix)], http.TrailerPrefix) {
			delete(h, k)
		}
	}
	h["Cache-Control"] = []string{"no-store"}
}

// trackingWriter notes whether the response has started.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(code int) {
	// An informational response (103 Early Hints) is not the response starting:
	// the final status may still be a 500.
	if code < 100 || code >= 200 || code == http.StatusSwitchingProtocols {
		t.wrote = true
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

func (t *trackingWriter) Flush() {
	t.wrote = true
	http.NewResponseController(t.ResponseWriter).Flush() //nolint:errcheck // Flush is best effort, as http.Flusher's.
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
