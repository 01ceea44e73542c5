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
//
// A request without a positive max_tokens is sent to a target whose model's
// maximum output the price table does not know with max_tokens set to
// [Config.DefaultMaxTokens] (4096 by default), so that no answer outgrows what
// the gateway reserved for it, which is that same value ([Router.DefaultMaxTokens]).
// A target whose maximum is known is sent no limit (its maximum bounds the answer
// and is what the gateway reserves), and a request's own positive max_tokens is
// sent as it is (zero or below counts as none). The caller's request is never
// changed: each attempt sends a copy.
package router
