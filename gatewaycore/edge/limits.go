package edge

import (
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/gatewaycore/httperr"
	"github.com/footingdev/footing/gatewaycore/internal/routepath"
)

// BodyLimit returns middleware that refuses request bodies larger than max bytes:
// a declared Content-Length over the limit answers 413 at once; a body that grows
// past it while being read fails the read with *http.MaxBytesError (Connect handlers
// then answer ResourceExhausted). max <= 0 means no limit.
//
// It counts the bytes on the wire. A compressed body inflates after it, in the
// handler: give every Connect handler connect.WithReadMaxBytes as well (footing's
// health, reflection and AI gateway handlers set one), or a few KiB of gzip become
// GiBs of memory.
func BodyLimit(max int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if max <= 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > max {
				httperr.New().WriteStatus(w, r, http.StatusRequestEntityTooLarge,
					errs.ResourceExhausted("REQUEST_TOO_LARGE", "the request body is too large"))
				return
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(w, r.Body, max)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// IsBodyTooLarge reports whether err comes from reading a body past [BodyLimit].
func IsBodyTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// RouteTimeouts maps path prefixes (a Connect service "/pkg.Service/", a procedure
// "/pkg.Service/Method", an HTTP route "/api/") to request deadlines. The longest
// matching prefix of the cleaned path (as auth and ratelimit judge it, so
// "//api/x" is "/api/x") wins; Default applies when none matches. A zero duration
// means no deadline.
type RouteTimeouts struct {
	Default time.Duration
	Routes  map[string]time.Duration
}

// Timeouts returns middleware that gives each request the context deadline of its
// route in rt. Handlers see it through r.Context(); Connect handlers and clients
// honour it, and streams end when it passes. It never buffers the response, unlike
// http.TimeoutHandler, so streaming works. The context behaves as
// context.WithTimeout's, canceled when the handler returns, but arms its timer only
// once something waits on Done, so a handler that never waits costs no timer.
//
// A context deadline does not interrupt a read of the request body, so for a
// request with a body Timeouts also sets the connection's (HTTP/2: the stream's)
// read deadline to the route's deadline, unless the server's own ReadTimeout
// bounds the read already: a client that trickles its body, or stops sending it,
// cannot hold the handler past the deadline.
func Timeouts(rt RouteTimeouts) func(http.Handler) http.Handler {
	prefixes := make([]string, 0, len(rt.Routes))
	for p := range rt.Routes {
		prefixes = append(prefixes, p)
	}
	sort.Slice(prefixes, func(i, j int) bool { return len(prefixes[i]) > len(prefixes[j]) })
	lookup := func(path string) time.Duration {
		for _, p := range prefixes {
			if strings.HasPrefix(path, p) {
				return rt.Routes[p]
			}
		}
		return rt.Default
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			d := lookup(routepath.Clean(r.URL.Path))
			if d <= 0 {
				next.ServeHTTP(w, r)
				return
			}
			ctx := newDeadlineCtx(r.Context(), d)
			defer ctx.end()
			if r.Body != nil && r.Body != http.NoBody {
				boundBodyReads(w, r, ctx.deadline)
			}
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// boundBodyReads makes reads of r's body fail past deadline: the server has no
// ReadTimeout (gatewaycore/server leaves it to per-route deadlines, since client
// streams may be long), and a context deadline does not stop a blocked read. A
// writer that cannot set read deadlines is left as it is.
func boundBodyReads(w http.ResponseWriter, r *http.Request, deadline time.Time) {
	if srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server); ok && srv.ReadTimeout > 0 {
		return // The server bounds the whole request's read already.
	}
	_ = http.NewResponseController(w).SetReadDeadline(deadline) // ErrNotSupported: nothing to bound.
}
