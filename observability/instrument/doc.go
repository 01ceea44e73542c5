// Package instrument gives HTTP middleware, an HTTP client transport and a Connect
// interceptor that trace, measure and log each request the same way.
//
// Each request gets one span (named after its route or procedure, with the
// OpenTelemetry semantic-convention attributes), the semantic-convention metrics
// (http.server.request.duration, rpc.server.duration, …) and one access-log line
// (method, route or procedure, status or code, duration, bytes, request id, tenant).
//
// [Middleware] and [NewInterceptor] cooperate: when a Connect handler is mounted
// behind the middleware, the interceptor names the middleware's span after the
// procedure and adds the code to its access-log line, so a Connect call still yields
// one span and one line. Used alone, the interceptor does all of it itself.
//
// Every span ends exactly once. A client stream's span ends when the stream
// does, or, for a caller that abandons the stream without closing it, when the
// call's context ends (code canceled or deadline_exceeded). Credentials stay
// out of spans and access lines: url.full, url.path and url.query keep the
// URL, but user info (user name alone included) becomes REDACTED:REDACTED,
// and the value of a query parameter named like a secret (the semantic
// conventions' AWSAccessKeyId, Signature, sig and X-Goog-Signature, and
// package logging's secret keys: token, access_token, api_key, password,
// client_secret, …, plus key and code), a query value and a path segment that
// hold a credential (a JWT, a bearer credential, a provider's key) become
// REDACTED. url.full has no fragment.
//
// Everything takes functional options ([WithTracerProvider], [WithMeterProvider],
// [WithLogger], [WithPropagator]); without them the OpenTelemetry globals and
// [slog.Default] are used, as installed by observability.Setup.
//
// The middleware takes the route from the pattern http.ServeMux sets on the
// request; behind layers that pass on a copy of the request, give it the mux
// with [WithRouter].
package instrument
