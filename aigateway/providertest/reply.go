package providertest

import (
	"time"

	"github.com/footingdev/footing/aigateway/provider"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// A Reply is what a [Fake] answers to one request, in provider-neutral terms the
// fake renders in its own wire format.
type Reply struct {
	// Failure, when set, answers with an HTTP error in the provider's format
	// instead of a stream.
	Failure *Failure
	// Steps are the stream's content, in order.
	Steps []Step
	// Finish is the finish reason of the last chunk; unspecified means
	// FINISH_REASON_TOOL_CALLS when a step made a tool call, else FINISH_REASON_STOP.
	Finish aiv1.FinishReason
	// WireFinish, when set, is sent as the stream's finish reason as it is, in
	// the provider's own vocabulary, instead of Finish rendered: Anthropic's
	// stop_reason ("model_context_window_exceeded", "pause_turn"), OpenAI's
	// finish_reason, Gemini's finishReason ("UNEXPECTED_TOOL_CALL", "OTHER"). It
	// scripts the reasons Finish has no value of its own for; Finish is still
	// what a test expects the provider to report.
	WireFinish string
	// Usage is the whole request's usage in the gateway's terms: InputTokens counts
	// every input token, cache reads and writes included; OutputTokens includes
	// ReasoningTokens. Nil means 10 input tokens and one output token per step.
	Usage *aiv1.Usage
	// CacheWrite1hTokens is the part of Usage.CacheWriteTokens written to a 1-hour
	// cache: Anthropic's usage.cache_creation.ephemeral_1h_input_tokens (the rest
	// are its ephemeral_5m_input_tokens). The other wires have no such split.
	CacheWrite1hTokens int64
	// ToolUsePromptTokens is the part of Usage.InputTokens that Gemini reports as
	// usageMetadata.toolUsePromptTokenCount — the results of its built-in tools
	// (Google Search grounding, code execution) fed back to the model — outside
	// promptTokenCount. The other wires count such tokens in their input.
	ToolUsePromptTokens int64
	// UsageOnlyChunk ends a Gemini stream with a chunk that carries only
	// usageMetadata. (OpenAI always ends with its usage-only include_usage chunk
	// when the request asked for it; Anthropic's message_delta is usage-only.)
	UsageOnlyChunk bool
	// Model is the model named in the chunks; empty means the requested one.
	Model string
	// FirstTokenDelay waits after the response headers before the first event.
	FirstTokenDelay time.Duration
	// CRLF ends lines with CR LF instead of LF (Gemini's default is CRLF; set
	// LFOnly to override it).
	CRLF bool
	// LFOnly forces LF line endings, even for Gemini.
	LFOnly bool
	// SplitWrites writes every frame in several pieces, flushed one by one, cut
	// inside the JSON and between CR and LF.
	SplitWrites bool
	// Truncate ends the body after Steps without the stream's proper end (no finish
	// reason, no terminator), as a dropped connection does.
	Truncate bool
	// Stall, after Steps, holds the connection open without writing until the
	// client goes away; the stream's end is never sent.
	Stall bool
}

// A Step is one piece of a streamed answer. Exactly one field is set, except
// Delay, which waits before the step.
type Step struct {
	// Text is a text delta.
	Text string
	// Thinking is a delta of the model's reasoning, which is not part of the
	// answer: Anthropic's thinking block (thinking_delta events, closed by a
	// signature_delta), Gemini's part with "thought": true. Chat Completions
	// streams no reasoning; the OpenAI fake leaves it out.
	Thinking string
	// Refusal is a delta of the model's refusal: OpenAI's delta.refusal, which
	// structured outputs send in place of content (the stream still ends with
	// finish_reason "stop"). The other wires have no refusal field and send it as
	// text.
	Refusal string
	// ToolCall is a piece of a tool call.
	ToolCall *ToolCallStep
	// Ping sends the provider's keep-alive: Anthropic's ping event, an SSE comment
	// line for the others.
	Ping bool
	// Comment sends an SSE comment line.
	Comment string
	// Error sends an error event in the stream, in the provider's format.
	Error *Failure
	// Raw is written verbatim.
	Raw string
	// Delay waits before the step.
	Delay time.Duration
}

// A ToolCallStep is a piece of a tool call: the first piece of a call carries ID
// and Name, the following ones only more Args. (Gemini sends a call whole: its fake
// joins the pieces of a call into one functionCall part.)
type ToolCallStep struct {
	Index int
	ID    string
	Name  string
	Args  string
}

// A Failure is an error answer, rendered as the provider sends it: status,
// headers and body.
type Failure struct {
	// Kind is what failed: KindInvalidRequest, KindAuth, KindNotFound,
	// KindRateLimited, KindQuotaExhausted, KindOverloaded or KindServer.
	Kind provider.Kind
	// Message is the provider's message; empty means the provider's usual one.
	Message string
	// RetryAfter is sent as retry-after (whole seconds) or, with RetryAfterMs,
	// as retry-after-ms.
	RetryAfter   time.Duration
	RetryAfterMs bool
}

// Text returns a reply that streams the given text deltas.
func Text(deltas ...string) Reply {
	r := Reply{}
	for _, d := range deltas {
		r.Steps = append(r.Steps, Step{Text: d})
	}
	return r
}

// Fail returns a reply that answers with the failure of the given kind.
func Fail(kind provider.Kind) Reply { return Reply{Failure: &Failure{Kind: kind}} }

// RateLimited returns a 429 reply with a retry hint.
func RateLimited(after time.Duration) Reply {
	return Reply{Failure: &Failure{Kind: provider.KindRateLimited, RetryAfter: after}}
}

func (r *Reply) finish() aiv1.FinishReason {
	if r.Finish != aiv1.FinishReason_FINISH_REASON_UNSPECIFIED {
		return r.Finish
	}
	for _, s := range r.Steps {
		if s.ToolCall != nil {
			return aiv1.FinishReason_FINISH_REASON_TOOL_CALLS
		}
	}
	return aiv1.FinishReason_FINISH_REASON_STOP
}

// wireFinish is WireFinish, or the finish reason rendered by names.
func (r *Reply) wireFinish(names map[aiv1.FinishReason]string) string {
	if r.WireFinish != "" {
		return r.WireFinish
	}
	return names[r.finish()]
}

func (r *Reply) usage() *aiv1.Usage {
	if r.Usage != nil {
		return r.Usage
	}
	return &aiv1.Usage{InputTokens: 10, OutputTokens: int64(len(r.Steps))}
}
