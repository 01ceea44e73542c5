package auth

import (
	"net/http"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/gatewaycore/internal/routepath"
)

// An Option configures the [Authenticator.Middleware] and the
// [Authenticator.Interceptor].
type Option func(*options)

type options struct {
	writeError func(http.ResponseWriter, *http.Request, error)
}

// WithErrorWriter sets how the HTTP middleware answers a refused request. The default
// answers Connect, gRPC and gRPC-Web requests in their own protocol and anything else
// as Connect's JSON error ({"code":"unauthenticated","message":...}) with the matching
// HTTP status. A nil writer is ignored.
func WithErrorWriter(write func(w http.ResponseWriter, r *http.Request, err error)) Option {
	return func(o *options) {
		if write != nil {
			o.writeError = write
		}
	}
}

func buildOptions(opts []Option) *options {
	ew := connect.NewErrorWriter()
	o := &options{writeError: func(w http.ResponseWriter, r *http.Request, err error) {
		if connect.CodeOf(err) == connect.CodeUnauthenticated {
			w.Header().Set("WWW-Authenticate", `Bearer`)
		}
		_ = ew.Write(w, r, err)
	}}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// Middleware returns HTTP middleware enforcing policy on every request, keyed by its
// URL path — which for a Connect, gRPC or gRPC-Web call is its procedure, so one
// table serves RPCs and plain routes alike, streaming or not. Routers disagree on
// which form of a path they route by: net/http's ServeMux routes on the path as sent
// before percent-decoding ("/admin/%2e%2e/healthz" and "/admin/..%2Fhealthz" reach
// its "/admin/" handler), chi, httprouter and echo on the path as sent without
// cleaning it ("/admin/../healthz" reaches "/admin/*"), a bare Connect handler on the
// decoded path. So a request is judged under each distinct form of its path — the
// cleaned one ("/public/../admin" as "/admin", "//a" as "/a"), the decoded one as
// sent, and the one as sent before decoding — and must be allowed under every one:
// each must be listed, and it is public only if all are. A form with a trailing slash
// whose slashless path the policy lists exactly ("/admin/" when "/admin" is a key) is
// also judged by that key's rule, since routers that strip a trailing slash before
// routing (chi's middleware.StripSlashes, echo's RemoveTrailingSlash) serve it with
// that path's handler. An ordinary request (a clean path without unusual escapes) has
// one form.
//
// On success the request continues with the Principal in its context
// (contracts/identity): in the context's principal slot if it has one
// (gatewaycore/edge.Metadata puts one there), else in a copy of the request with a
// new context.
func (a *Authenticator) Middleware(policy *Policy, opts ...Option) func(http.Handler) http.Handler {
	o := buildOptions(opts)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			parent := r.Context()
			var forms [3]string
			var rules [6]Rule
			n := 0
			for _, path := range routepath.Forms(r.URL, &forms) {
				rule, listed := policy.Lookup(path)
				if !listed {
					a.metrics.decision(parent, "none", resultDenied, ReasonUnlisted)
					o.writeError(w, r, errPermissionDenied())
					return
				}
				rules[n] = rule
				n++
				// Routers that strip a trailing slash before routing (chi's
				// StripSlashes, echo's RemoveTrailingSlash) serve "/x/" as "/x".
				if rule, ok := policy.exactWithoutSlash(path); ok {
					rules[n] = rule
					n++
				}
			}
			ctx, err := a.authorize(parent, r.Header, rules[:n])
			if err != nil {
				o.writeError(w, r, err)
				return
			}
			if ctx != parent { // a Principal was added without a slot: one request copy
				r = r.WithContext(ctx)
			}
			next.ServeHTTP(w, r)
		})
	}
}
