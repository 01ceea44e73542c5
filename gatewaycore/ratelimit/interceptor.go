package ratelimit

import (
	"context"
	"errors"
	"net/http"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/gatewaycore/httperr"
)

// NewInterceptor returns a server-side [connect.Interceptor] that applies rules to
// Connect procedures ("/pkg.Service/Method" or a "/pkg.Service/" prefix) with limiter:
// one decision per unary call and one per stream, when it opens, for client-, server-
// and bidi-streaming alike. Use it instead of [Middleware] when the Principal is set
// by an interceptor (gatewaycore/auth's), so tenant and user keys see it; list the
// interceptor after auth's. Refusals are ResourceExhausted with RetryInfo,
// Retry-After and the RateLimit headers; a fail-closed backend gives Unavailable. On
// clients it does nothing.
func NewInterceptor(limiter Limiter, rules []Rule, opts ...Option) (connect.Interceptor, error) {
	e, err := newEnforcer(limiter, rules, opts)
	if err != nil {
		return nil, err
	}
	return &interceptor{e: e}, nil
}

type interceptor struct {
	e *enforcer
}

func (i *interceptor) check(ctx context.Context, procedure string, peer connect.Peer) (http.Header, error) {
	rule := i.e.match(procedure)
	if rule == nil {
		return nil, nil
	}
	out := http.Header{}
	if err := i.e.decide(ctx, rule, peer.Addr, out); err != nil {
		var cerr *connect.Error
		if errors.As(err, &cerr) {
			for k, v := range out {
				cerr.Meta()[k] = v
			}
			// As the middleware's refusals do (httperr.Writer): over the Connect
			// protocol a unary refusal is an HTTP 429 or 503, read by clients that
			// know Retry-After and not RetryInfo.
			if d, ok := errs.RetryAfter(cerr); ok {
				cerr.Meta().Set("Retry-After", httperr.RetryAfterSeconds(d.Seconds()))
			}
		}
		return nil, err
	}
	return out, nil
}

func (i *interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		out, err := i.check(ctx, req.Spec().Procedure, req.Peer())
		if err != nil {
			return nil, err
		}
		res, err := next(ctx, req)
		if res != nil {
			for k, v := range out {
				res.Header()[k] = v
			}
		}
		return res, err
	}
}

func (i *interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i *interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		out, err := i.check(ctx, conn.Spec().Procedure, conn.Peer())
		if err != nil {
			return err
		}
		for k, v := range out {
			conn.ResponseHeader()[k] = v
		}
		return next(ctx, conn)
	}
}
