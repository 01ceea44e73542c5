package instrument

import (
	"context"
	"log/slog"
	"sync"

	"go.opentelemetry.io/otel/trace"
)

type stateKey struct{}

// requestState is what the layers that handle one request tell the access-log
// line written by [Middleware] at its end.
type requestState struct {
	mu        sync.Mutex
	procedure string
	code      string // the Connect code for the line: "ok" on success
	rpcCode   string // the Connect code for the rpc metric: "" on success
	rpc       *Interceptor
	span      trace.Span // the middleware's
	tenant    string
	user      string
	requestID string
	attrs     []slog.Attr
}

// stateCtx is a context carrying the request state, as context.WithValue
// would, without an allocation of its own: it lives in the one
// [Middleware] makes per request.
type stateCtx struct {
	context.Context
	st *requestState
}

// Value returns the request state for stateKey and asks the parent otherwise.
func (c *stateCtx) Value(key any) any {
	if _, ok := key.(stateKey); ok {
		return c.st
	}
	return c.Context.Value(key)
}

func stateFrom(ctx context.Context) *requestState {
	st, _ := ctx.Value(stateKey{}).(*requestState)
	return st
}

// Annotate adds attrs to the access-log line of the request being served under
// ctx, when that request passes through [Middleware]; otherwise it does nothing.
// Layers inside the middleware that learn something about the request (the
// authenticated tenant, a cache result) call it. It is safe to call concurrently.
func Annotate(ctx context.Context, attrs ...slog.Attr) {
	st := stateFrom(ctx)
	if st == nil || len(attrs) == 0 {
		return
	}
	st.mu.Lock()
	st.attrs = append(st.attrs, attrs...)
	st.mu.Unlock()
}

// setRPC records what the Connect interceptor learned about the request; the
// middleware records the interceptor's rpc.server.duration with its own.
func (st *requestState) setRPC(i *Interceptor, procedure, code, rpcCode, tenant, user, requestID string) {
	st.mu.Lock()
	st.rpc, st.procedure, st.code, st.rpcCode = i, procedure, code, rpcCode
	if tenant != "" {
		st.tenant = tenant
	}
	if user != "" {
		st.user = user
	}
	if requestID != "" {
		st.requestID = requestID
	}
	st.mu.Unlock()
}
