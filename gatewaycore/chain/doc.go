// Package chain builds the API edge's middleware chain in the one order
// ARCHITECTURE.md fixes:
//
//	recover → request id/metadata → trace span → metrics/access log → CORS → body limit
//	→ auth → rate limit → (compression, timeout) → handler
//
// Every step is a plain func(http.Handler) http.Handler slot in [Chain]; an empty slot
// is skipped. Tracing, metrics and access logging come from observability, auth from
// gatewaycore/auth, the rest from gatewaycore's own packages — chain imports none of
// them, so each can be swapped or used alone.
package chain
