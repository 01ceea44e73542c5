// Package router sends a chat request for a model alias to one of the alias's
// targets (a provider, a model and the account key the provider holds), balancing by
// weight, retrying and falling back — but only before the first chunk reaches the
// caller. After that a failure ends the [Stream] with a typed *provider.Error and the
// partial usage is still reported, priced from a [pricing.Table].
//
// Each attempt runs under three timeouts: the whole attempt, the time to the first
// chunk, and the idle time between chunks. All are timers on the attempt's context,
// so no goroutine is started per request; cancelling the caller's context cancels
// the upstream request at once. A circuit breaker per target stops sending to a
// target after repeated failures and lets probes through after a pause.
package router
