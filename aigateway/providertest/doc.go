// Package providertest holds in-process fake servers for each AI provider's wire
// protocol and the conformance suite every [provider.Provider] passes against them.
//
// A [Fake] is an httptest server that answers like the real API byte for byte —
// Anthropic Messages SSE events, OpenAI Chat Completions chunks ending in
// "data: [DONE]", Gemini streamGenerateContent?alt=sse chunks with no terminator —
// including the real error bodies and retry headers. Each test scripts it with
// provider-neutral [Reply] values (text, tool calls, pings, comments, an error
// event, a failure status, CRLF line endings, frames split across writes, a slow
// first token, a stalled stream) that the fake renders in its own wire format.
// The fake records every request it received, headers included, and signals on
// [Fake.Canceled] when a client went away mid-answer.
//
// [Run] is the conformance suite: every scripted behaviour, for any provider that
// speaks one of the three wire formats.
package providertest
