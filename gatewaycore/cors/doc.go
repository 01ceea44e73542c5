// Package cors answers CORS for browser clients of Connect, gRPC-Web and plain JSON
// endpoints: an origin allow-list (exact origins, "https://*.example.com" subdomain
// patterns, or "*" without credentials), credentials, preflight caching, and the
// request and response headers those protocols need (connectrpc.com/cors's lists)
// plus the edge's own (Authorization, X-Request-Id, X-Api-Key in; X-Request-Id,
// Retry-After, RateLimit, RateLimit-Policy out).
//
// Origins are matched as browsers send them, so one configured with its scheme's
// default port ("https://app.example.com:443") is the origin without it; a pattern
// over a single label ("https://*.com", every site under a top-level domain) is a
// configuration error.
//
// Requests from origins not on the list pass through without CORS headers, so the
// browser blocks them; their preflights answer 403.
package cors
