package instrument

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/observability/internal/accessline"
	"github.com/footingdev/footing/observability/logging"
)

// ScopeName is the instrumentation scope of the spans and metrics this package
// records.
const ScopeName = "github.com/footingdev/footing/observability/instrument"

// An Option configures [Middleware], [Transport] or [NewInterceptor].
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	tp        trace.TracerProvider
	mp        metric.MeterProvider
	prop      propagation.TextMapPropagator
	logger    *slog.Logger
	accessLog bool
	level     slog.Level
	// optionalMetrics turns on the metrics the conventions leave optional.
	optionalMetrics bool
	// router finds the route of a request whose Pattern the middleware cannot
	// see (WithRouter).
	router Router
	// lineHandler is the logger's handler when it is footing's, whose
	// WriteRecord writes the access-log line without the Logger's overhead.
	lineHandler *logging.Handler
}

// log writes one access-log line, stamped at, the request's end.
func (c *config) log(ctx context.Context, at time.Time, level slog.Level, msg string, attrs []slog.Attr) {
	if c.lineHandler != nil {
		_ = c.lineHandler.WriteRecord(ctx, at, level, msg, attrs...)
		return
	}
	c.logger.LogAttrs(ctx, level, msg, attrs...)
}

// enabled reports whether the logger writes lines at level: its handler's
// answer, asked directly when it is footing's (slog.Logger.Enabled asks the
// same handler, one call further).
func (c *config) enabled(ctx context.Context, level slog.Level) bool {
	if c.lineHandler != nil {
		return c.lineHandler.Enabled(ctx, level)
	}
	return c.logger.Enabled(ctx, level)
}

// logLine writes the access-log line l of an HTTP request, stamped at: its
// fields straight into the line when the logger's handler is footing's and
// its fast path takes the line, else as attributes through log.
func (c *config) logLine(ctx context.Context, at time.Time, level slog.Level, msg string, l *accessline.Line) {
	if c.lineHandler != nil {
		if done, _ := accessline.Write(c.lineHandler, ctx, at, level, msg, *l); done {
			return
		}
	}
	var buf [16]slog.Attr
	c.log(ctx, at, level, msg, l.Attrs(buf[:0]))
}

// WithTracerProvider sets the provider of the spans. A nil provider is ignored;
// the default is the global one.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) {
		if tp != nil {
			c.tp = tp
		}
	})
}

// WithMeterProvider sets the provider of the metrics. A nil provider is ignored;
// the default is the global one.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) {
		if mp != nil {
			c.mp = mp
		}
	})
}

// WithPropagator sets how trace context and baggage cross the wire. A nil
// propagator is ignored; the default is the global one.
func WithPropagator(p propagation.TextMapPropagator) Option {
	return optionFunc(func(c *config) {
		if p != nil {
			c.prop = p
		}
	})
}

// WithLogger sets the logger of the access-log lines. A nil logger is ignored;
// the default is [slog.Default] at the time of the call.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		if l != nil {
			c.logger = l
		}
	})
}

// WithAccessLog turns the access-log line on (the default) or off.
func WithAccessLog(on bool) Option {
	return optionFunc(func(c *config) { c.accessLog = on })
}

// WithAccessLogLevel sets the level of the access-log lines; the default is
// [slog.LevelInfo]. Lines for server errors (5xx, or Connect codes that are the
// server's fault) are always written at [slog.LevelError].
func WithAccessLogLevel(level slog.Level) Option {
	return optionFunc(func(c *config) { c.level = level })
}

// WithOptionalMetrics turns on (or off, the default) the metrics the semantic
// conventions leave optional: http.server.active_requests,
// http.server.response.body.size and footing.rpc.server.active_requests. Each
// costs an attribute-set lookup and a lock per request, or two for the
// up-down counters; the required durations (http.server.request.duration,
// rpc.server.duration, the client ones) are always recorded, and the access-log
// line carries the response size either way.
func WithOptionalMetrics(on bool) Option {
	return optionFunc(func(c *config) { c.optionalMetrics = on })
}

// A Router finds the pattern that routes a request, as [http.ServeMux.Handler]
// does; *http.ServeMux is one. It must be safe to call concurrently.
type Router interface {
	Handler(r *http.Request) (h http.Handler, pattern string)
}

// WithRouter tells [Middleware] where its requests are routed, for the
// http.route label, the span name and the access line's route. Without it the
// middleware reads [http.Request.Pattern], which http.ServeMux sets on the
// request it is given: a middleware between this one and the mux that passes
// on a copy of the request (r.WithContext, as authentication does) hides the
// pattern, and every request would be reported without a route. With a router,
// a request that reaches the end without a pattern (and is not a Connect call)
// is looked up in it once more. A nil router is ignored.
func WithRouter(r Router) Option {
	return optionFunc(func(c *config) {
		if r != nil {
			c.router = r
		}
	})
}

func newConfig(opts []Option) *config {
	c := &config{
		tp:        otel.GetTracerProvider(),
		mp:        otel.GetMeterProvider(),
		prop:      otel.GetTextMapPropagator(),
		logger:    slog.Default(),
		accessLog: true,
		level:     slog.LevelInfo,
	}
	for _, o := range opts {
		if o != nil {
			o.apply(c)
		}
	}
	c.lineHandler, _ = c.logger.Handler().(*logging.Handler)
	return c
}
