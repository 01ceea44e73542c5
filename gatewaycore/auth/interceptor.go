package auth

import (
	"context"

	"connectrpc.com/connect"
)

// Interceptor returns a Connect interceptor enforcing policy, keyed by procedure, on
// every call a handler receives: unary, client-, server- and bidi-streaming alike. For
// streams the check runs before the handler is entered, so no message is read or
// written for a refused caller. A unary call is different: connect-go reads and
// decodes (and decompresses) its request message before any unary interceptor runs,
// so a refused caller has still had its body read; put [Authenticator.Middleware] in
// front (as gatewaycore/chain does) to refuse before the body is touched.
// Client-side calls pass through untouched. A Principal already in the context (from
// [Authenticator.Middleware]) is reused and only the policy is checked again.
func (a *Authenticator) Interceptor(policy *Policy, opts ...Option) connect.Interceptor {
	_ = buildOptions(opts) // no interceptor-specific options yet; accepted for symmetry
	return &interceptor{a: a, policy: policy}
}

type interceptor struct {
	a      *Authenticator
	policy *Policy
}

func (i *interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		ctx, err := i.a.Authorize(ctx, i.policy, req.Spec().Procedure, req.Header())
		if err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (i *interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i *interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		ctx, err := i.a.Authorize(ctx, i.policy, conn.Spec().Procedure, conn.RequestHeader())
		if err != nil {
			return err
		}
		return next(ctx, conn)
	}
}
