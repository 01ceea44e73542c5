package edge

import (
	"errors"
	"net/http"
	"net/url"
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
// means no deadline. A path sent in a form routers may route otherwise (escaped
// dot segments or slashes such as "/admin/%2e%2e/x", which http.ServeMux serves
// under "/admin/"; or an unclean form, for a router that does not clean paths) is
// judged under each of its forms, as auth judges it, and gets the strictest of the
// routes they match.
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
// A context deadline interrupts neither a read of the request body nor a write of
// the response, so Timeouts also sets the connection's (HTTP/2: the stream's) read
// deadline, for a request with a body, to the route's deadline, and its write
// deadline to [WriteGrace] past it (so that the answer of a handler that stopped at
// the deadline still goes out), unless the server's own ReadTimeout or
// WriteTimeout bounds them already. A client that trickles its body or stops
// sending it, or stops reading the answer, then cannot hold the handler past the
// deadline; a response must be written by the deadline plus WriteGrace. (net/http
// clears both deadlines when the body has been read and when the response is done,
// so later requests on the connection are not affected; a connection a handler
// hijacks keeps them, as http.Hijacker says — give such routes, like streams that
// must outlive any deadline, a zero duration.)
func Timeouts(rt RouteTimeouts) func(http.Handler) http.Handler {
	prefixes := make([]string, 0, len(rt.Routes))
	for p := range rt.Routes {
		prefixes = append(prefixes, p)
	}
	sort.Slice(prefixes, func(i, j int) bool { return len(prefixes[i]) > len(prefixes[j]) })
	// lookup returns the duration of the longest route prefix of path, and false
	// when no route matches it.
	lookup := func(path string) (time.Duration, bool) {
		for _, p := range prefixes {
			if strings.HasPrefix(path, p) {
				return rt.Routes[p], true
			}
		}
		return 0, false
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// The strictest of the routes a router may serve r under
			// (routepath.Forms): "/admin/%2e%2e/healthz" is served by ServeMux's
			// "/admin/" handler, so it gets "/admin/"'s deadline, not only that of
			// "/healthz". Forms no route matches are left out; when none matches,
			// Default applies.
			d := rt.Default
			if len(prefixes) > 0 { // without routes, Default is every form's
				d = routeTimeout(r.URL, lookup, rt.Default)
			}
			if d <= 0 {
				next.ServeHTTP(w, r)
				return
			}
			ctx := newDeadlineCtx(r.Context(), d)
			defer ctx.end()
			boundIO(w, r, ctx.deadline)
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// routeTimeout returns the strictest duration of the routes (lookup) that the forms
// of u's path match, or def when none does.
func routeTimeout(u *url.URL, lookup func(string) (time.Duration, bool), def time.Duration) time.Duration {
	var forms [3]string
	d, matched := time.Duration(0), false
	for _, path := range routepath.Forms(u, &forms) {
		fd, ok := lookup(path)
		switch {
		case !ok:
		case !matched || (fd > 0 && (d <= 0 || fd < d)):
			d, matched = fd, true
		}
	}
	if !matched {
		return def
	}
	return d
}

// boundIO makes reads of r's body and writes of its response fail past deadline:
// the server has no ReadTimeout or WriteTimeout (gatewaycore/server leaves them to
// per-route deadlines, since streams may be long), and a context deadline does not
// stop a blocked read or write. A writer that cannot set deadlines is left as it is.
func boundIO(w http.ResponseWriter, r *http.Request, deadline time.Time) {
	var readTimeout, writeTimeout time.Duration
	if srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server); ok {
		readTimeout, writeTimeout = srv.ReadTimeout, srv.WriteTimeout
	}
	if readTimeout <= 0 && r.Body != nil && r.Body != http.NoBody {
		setReadDeadline(w, deadline)
	}
	if writeTimeout <= 0 {
		setWriteDeadline(w, deadline.Add(WriteGrace))
	}
}

// setReadDeadline is http.NewResponseController(w).SetReadDeadline(t) without its
// error, which boundIO ignores: it walks w's Unwrap chain as ResponseController
// does, to the first writer with a SetReadDeadline method, and does nothing when
// there is none — where ResponseController allocates a new error (fmt.Errorf) for
// every call, such as every request served through a writer that cannot set
// deadlines (httptest.ResponseRecorder, a wrapper without Unwrap).
func setReadDeadline(w http.ResponseWriter, t time.Time) {
	for {
		switch u := w.(type) {
		case interface{ SetReadDeadline(time.Time) error }:
			_ = u.SetReadDeadline(t) // an error: nothing to bound
			return
		case interface{ Unwrap() http.ResponseWriter }:
			w = u.Unwrap()
		default:
			return
		}
	}
}

// setWriteDeadline is [setReadDeadline] for http.ResponseController's SetWriteDeadline.
func setWriteDeadline(w http.ResponseWriter, t time.Time) {
	for {
		switch u := w.(type) {
		case interface{ SetWriteDeadline(time.Time) error }:
			_ = u.SetWriteDeadline(t)
			return
		case interface{ Unwrap() http.ResponseWriter }:
			w = u.Unwrap()
		default:
			return
		}
	}
}

// WriteGrace is how long past its route's deadline [Timeouts] lets a response be
// written: a handler that stops at the deadline still gets its answer (a Connect
// deadline_exceeded error, the end of a stream) out, while a client that stopped
// reading holds it no longer than this.
const WriteGrace = 2 * time.Second
