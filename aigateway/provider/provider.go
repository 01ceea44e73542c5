package provider

import (
	"context"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// A Provider is one AI provider account: a base URL and a key. It must be safe to
// call concurrently.
type Provider interface {
	// Name is the provider's name as the price table and telemetry know it
	// ("anthropic", "openai", "gemini", or a configured name for an
	// OpenAI-compatible server).
	Name() string
	// Chat starts a streamed chat completion of req, whose Model is the provider's
	// own model id (routing has already resolved aliases). It returns once the
	// upstream answered with a success status, or with an *Error when it did not.
	// Cancelling ctx cancels the upstream request at once.
	Chat(ctx context.Context, req *aiv1.ChatRequest) (Stream, error)
	// ListModels lists the models the account can use.
	ListModels(ctx context.Context) ([]*aiv1.Model, error)
	// Embed returns embeddings; providers without embeddings return an *Error of
	// KindInvalidRequest.
	Embed(ctx context.Context, req *aiv1.EmbedRequest) (*aiv1.EmbedResponse, error)
}

// A Stream yields the chunks of one chat completion. It is used by one goroutine.
type Stream interface {
	// Next returns the next chunk. At the end of a successful stream it returns
	// (nil, io.EOF); the last chunk before that carries the finish reason and the
	// whole request's Usage (cost left at zero: pricing is the router's job). A
	// failure mid-stream returns an *Error, after which Usage still reports what the
	// provider counted so far. A stream cut short before the provider's proper end
	// fails with KindServer, never io.EOF. Cancelling the ctx given to Chat makes a
	// blocked Next return an *Error of KindCanceled (KindTimeout for a deadline).
	Next() (*aiv1.ChatChunk, error)
	// Usage returns the usage reported so far (cumulative), for accounting when a
	// stream ends early. In every provider's Usage, InputTokens counts all input
	// tokens, cache reads and writes included (CacheReadTokens and
	// CacheWriteTokens are parts of it), and OutputTokens includes
	// ReasoningTokens.
	Usage() *aiv1.Usage
	// Close releases the upstream connection. It is safe to call more than once and
	// after Next returned an error.
	Close() error
}

// A CacheWrite1hReporter is a [Stream] whose provider tells how many of its cache
// writes went to a 1-hour cache (Anthropic's extended cache TTL:
// usage.cache_creation.ephemeral_1h_input_tokens), which cost more than the
// default 5-minute writes. ai/v1 Usage has no field for them, so the router finds
// this interface by type assertion to price them (pricing.Price.CostWith1hWrites).
type CacheWrite1hReporter interface {
	// CacheWrite1hTokens is the part of Usage().CacheWriteTokens written to a
	// 1-hour cache, as reported so far.
	CacheWrite1hTokens() int64
}
