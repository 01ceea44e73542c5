// Package gemini implements [provider.Provider] for the Gemini API
// (generativelanguage.googleapis.com).
//
// It speaks the wire format directly: a POST of
// /v1beta/models/{model}:streamGenerateContent?alt=sse with the x-goog-api-key
// header (never the key= query parameter, which would put the key in URLs and
// their logs), read as server-sent events of GenerateContentResponse objects.
// Gemini repeats usageMetadata on every chunk (the last one wins) and has no
// terminator: the stream ends at EOF after a chunk with a finishReason, which is
// when the last chunk — finish reason and usage — is handed to the caller.
// Function calls arrive whole; they get ids ("call_0", "call_1", …) when Gemini
// sends none, and tool results are sent back as functionResponse parts under the
// name of the call whose id they answer.
//
// Usage is what Google bills: InputTokens is promptTokenCount (which includes
// cachedContentTokenCount, reported as CacheReadTokens) plus
// toolUsePromptTokenCount — the results of built-in tools such as Google Search
// grounding or code execution fed back to the model, outside promptTokenCount and
// billed as input; ai/v1 Usage has no field of their own. OutputTokens is
// candidatesTokenCount plus thoughtsTokenCount (ReasoningTokens), billed as output.
package gemini
