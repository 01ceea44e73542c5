// Package edge holds the small HTTP middlewares every request passes at the API edge:
//
//   - [Metadata]: the request id (a well-formed incoming X-Request-Id, else a fresh one,
//     echoed in the response) and the rest of footing.common.v1.RequestMetadata (client
//     IP after trusted-proxy handling of X-Forwarded-For, user agent, traceparent,
//     procedure: the path cleaned as auth and rate limits judge it), put in the context with contracts/identity;
//     [NewTrustedProxies] refuses 0.0.0.0/0, ::/0 and public blocks wider than /8
//     (IPv4) or /19 (IPv6);
//   - [Recover]: a panic becomes an Internal error with an error id, logged server-side;
//     the error answer keeps the headers the middlewares set (request id, CORS, security
//     headers) but drops, from a fixed list, those of the answer the handler was making
//     (Set-Cookie, Content-*, ETag, Location, Trailer…; Cache-Control becomes no-store);
//   - [BodyLimit]: request bodies past a size answer 413;
//   - [Timeouts]: a deadline per route or Connect procedure, for the handler's
//     context and for reads of the request body;
//   - [Compress]: gzip for plain HTTP responses (Connect and gRPC compress themselves).
//
// Each is a func(http.Handler) http.Handler, usable alone or in gatewaycore/chain.
package edge
