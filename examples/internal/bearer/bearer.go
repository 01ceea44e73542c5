// Package bearer is a client-side Connect interceptor that sends a bearer token with
// every call, unary and streaming: what the examples' tests and load tool use to
// call the service as a tenant.
package bearer

import (
	"context"

	"connectrpc.com/connect"
)

// Token is a connect.Interceptor that sets "Authorization: Bearer <token>" on every
// outgoing call. An empty Token sends no header.
type Token string

// WrapUnary sets the header on unary calls.
func (t Token) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if t != "" && req.Spec().IsClient {
			req.Header().Set("Authorization", "Bearer "+string(t))
		}
		return next(ctx, req)
	}
}

// WrapStreamingClient sets the header on streaming calls.
func (t Token) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		if t != "" {
			conn.RequestHeader().Set("Authorization", "Bearer "+string(t))
		}
		return conn
	}
}

// WrapStreamingHandler leaves handlers alone.
func (Token) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}
