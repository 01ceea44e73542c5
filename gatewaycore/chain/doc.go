// Package chain builds the API edge's middleware chain in the one order
// ARCHITECTURE.md fixes:
//
//	recover → request id/metadata → trace span → metrics/access log → CORS → body limit
//	→ (pre-auth rate limit) → auth → rate limit → (compression, timeout) → handler
//
// The pre-auth rate limit is footing's addition to that order: limits that need no
// Principal (per client IP) run before auth, so that forged tokens cost a bucket
// lookup each rather than a signature check.
//
// Every step is a plain func(http.Handler) http.Handler slot in [Chain]; an empty slot
// is skipped. Tracing, metrics and access logging come from observability, auth from
// gatewaycore/auth, the rest from gatewaycore's own packages — chain imports none of
// them, so each can be swapped or used alone.
package chain
