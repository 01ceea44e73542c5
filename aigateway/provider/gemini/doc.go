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
package gemini
