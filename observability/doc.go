// Package observability gives a service its OpenTelemetry traces and metrics, Prometheus
// exposition and slog logging, and the HTTP and Connect instrumentation that ties them to each
// request.
package observability
