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

// Middleware returns HTTP middleware enforcing policy on every request, keyed by the
// cleaned URL path — which for a Connect, gRPC or gRPC-Web call is its procedure, so
// one table serves RPCs and plain routes alike, streaming or not. On success the
// request continues with the Principal in its context (contracts/identity): in the
// context's principal slot if it has one (gatewaycore/edge.Metadata puts one
// there), else in a copy of the request with a new context.
func (a *Authenticator) Middleware(policy *Policy, opts ...Option) func(http.Handler) http.Handler {
	o := buildOptions(opts)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			parent := r.Context()
			ctx, err := a.Authorize(parent, policy, routepath.Clean(r.URL.Path), r.Header)
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
