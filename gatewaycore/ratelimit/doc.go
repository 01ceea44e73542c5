// Package ratelimit limits request rates at the edge with the generic cell rate
// algorithm (GCRA): a [Limit] allows Burst requests at once and Rate per Period
// sustained, and every refusal says exactly when the next request would pass.
//
// A [Limiter] makes one decision per call. [Local] keeps state in process (sharded,
// one short mutex hold per decision), forgets keys whose limit is replenished as it
// goes, and holds at most [DefaultMaxKeys] keys ([WithMaxKeys]): at that cap a new
// key takes the place of the live entry closest to expiry; [Redis] keeps it in Redis with one round trip
// per decision (a Lua script run by EVALSHA), so several instances share one limit.
// When Redis is unreachable, [Redis] fails open (decisions come from an in-process
// backstop limiter) or closed (refuses), as configured, and counts the failure in
// the footing.ratelimit.backend.errors metric. Redis Cluster (a *redis.ClusterClient)
// is supported and tested: the script touches one key, so each decision is atomic on
// the master owning that key's slot.
//
// [Middleware] applies [Policy] values per route or Connect procedure, keyed by
// tenant, user, API key or client IP; a policy name must be non-empty and without ':'
// (the key separator), or construction fails naming it. IPv6 callers counted by IP
// are counted per /64 by default ([Policy.IPv6Prefix]): one subscriber holds a whole
// /64, and counting each address would let it send every request from a new one.
// Refusals answer 429 (ResourceExhausted for
// Connect, gRPC and gRPC-Web) with Retry-After, the IETF draft RateLimit and
// RateLimit-Policy headers, and a RetryInfo detail; allowed responses carry the
// RateLimit headers too with [WithHeadersOnAllowed]. [NewInterceptor] applies the same
// rules as a Connect interceptor — one decision per unary call or per stream — for
// services whose Principal is set by an interceptor rather than by HTTP middleware.
package ratelimit
