// Package provider defines the one interface every AI provider implements — start a
// chat stream, list models, embed — and the typed [Error] that tells the router
// whether a failure may be retried on the same target, should fall back to another,
// or must go back to the caller.
//
// Implementations live in sub-packages (anthropic, openai, gemini) and all pass the
// conformance suite in aigateway/providertest.
package provider
