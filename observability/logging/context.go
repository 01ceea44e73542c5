package logging

import (
	"context"
	"log/slog"
)

type loggerKey struct{}

// NewContext returns a copy of ctx that carries l, for [FromContext].
func NewContext(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// FromContext returns the request-scoped logger: the one [NewContext] stored in
// ctx, else [slog.Default], bound to ctx so that even its calls without a context
// (logger.Info) carry the trace id, request id, tenant and user of ctx. Binding
// works when the logger's handler is a [*Handler]; other handlers get the logger
// unchanged and see the ids only through the *Context methods.
func FromContext(ctx context.Context) *slog.Logger {
	l, _ := ctx.Value(loggerKey{}).(*slog.Logger)
	if l == nil {
		l = slog.Default()
	}
	h, ok := l.Handler().(*Handler)
	if !ok {
		return l
	}
	h2 := *h
	h2.bound = ctx
	return slog.New(&h2)
}
