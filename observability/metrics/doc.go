// Package metrics exposes OpenTelemetry metrics to Prometheus: [NewRegistry] is a
// client_golang registry with the Go runtime and process collectors,
// [NewMeterProvider] is an OpenTelemetry MeterProvider whose instruments are
// exported into such a registry, and [Handler] serves it at /metrics, in the
// OpenMetrics format when the scraper asks for it.
//
// OpenTelemetry names become Prometheus names the usual way: dots become
// underscores and the unit and _total are appended, so
// http.server.request.duration (s) is scraped as
// http_server_request_duration_seconds.
//
// A registry serves one live MeterProvider at a time: [NewMeterProvider]
// refuses a second while the first is not shut down.
package metrics
