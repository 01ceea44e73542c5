// Package observability gives a service its OpenTelemetry traces and metrics, Prometheus
// exposition and slog logging, and the HTTP and Connect instrumentation that ties them to each
// request.
//
// [Setup] is the one call a service makes in main: it reads the standard OTEL_* variables and
// LOG_LEVEL/LOG_FORMAT (see [Config]), reports every bad value at once, installs the tracer,
// meter, propagator and default logger, and returns a shutdown that flushes them. [New] builds
// the same without touching globals, for tests and for programs that run more than one.
//
// The parts live in sub-packages that can be used alone:
//
//   - logging: the slog handler that adds trace, request, tenant and user ids and redacts secrets;
//   - metrics: the Prometheus registry, the OpenTelemetry exporter into it and the /metrics handler;
//   - instrument: HTTP middleware, HTTP client transport and the Connect interceptor;
//   - tracing: span helpers (start a span, record an error with its code);
//   - semconv: metric and attribute names.
package observability
