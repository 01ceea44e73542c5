package chain

import "net/http"

// A Middleware wraps a handler.
type Middleware = func(http.Handler) http.Handler

// Chain holds one middleware per step of the edge, in the order they run. Nil steps
// are skipped. The zero value passes requests straight to the handler.
type Chain struct {
	// Recover turns panics into Internal errors (edge.Recover). Outermost, so it
	// catches panics in every other step.
	Recover Middleware
	// Metadata sets the request id and RequestMetadata (edge.Metadata).
	Metadata Middleware
	// Trace starts the server span (observability).
	Trace Middleware
	// Observe records metrics and the access log (observability).
	Observe Middleware
	// CORS answers preflights and sets CORS headers (gatewaycore/cors).
	CORS Middleware
	// BodyLimit bounds request bodies (edge.BodyLimit).
	BodyLimit Middleware
	// PreAuthRateLimit applies limits that need no Principal — per client IP
	// (gatewaycore/ratelimit with KeyIP) — before credentials are verified, so a caller
	// flooding the edge with forged or expired tokens is refused at the cost of a
	// bucket lookup, not a signature check each. Refusals still carry CORS headers
	// (browsers can read the 429) and are traced and logged.
	PreAuthRateLimit Middleware
	// Auth verifies credentials and puts the Principal in the context (gatewaycore/auth).
	Auth Middleware
	// RateLimit applies per-tenant, per-user, per-key or per-IP limits
	// (gatewaycore/ratelimit). It runs after Auth so it can key by the Principal.
	RateLimit Middleware
	// Compress compresses plain HTTP responses (edge.Compress).
	Compress Middleware
	// Timeout sets per-route deadlines (edge.Timeouts). Innermost, so the deadline
	// counts only the handler's time.
	Timeout Middleware
}

// Steps returns the chain's middlewares from outermost to innermost, nil ones included.
func (c Chain) Steps() []Middleware {
	return []Middleware{c.Recover, c.Metadata, c.Trace, c.Observe, c.CORS, c.BodyLimit, c.PreAuthRateLimit, c.Auth, c.RateLimit, c.Compress, c.Timeout}
}

// StepNames returns the names of the steps, in the order of [Chain.Steps].
func StepNames() []string {
	return []string{"recover", "metadata", "trace", "observe", "cors", "body_limit", "pre_auth_rate_limit", "auth", "rate_limit", "compress", "timeout"}
}

// Then returns h wrapped in the chain's steps, so that a request passes them in order.
func (c Chain) Then(h http.Handler) http.Handler {
	steps := c.Steps()
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i] != nil {
			h = steps[i](h)
		}
	}
	return h
}

// ThenFunc is [Chain.Then] for a function.
func (c Chain) ThenFunc(f http.HandlerFunc) http.Handler { return c.Then(f) }
