package providertest

import (
	"fmt"
	"net/http"

	"github.com/footingdev/footing/aigateway/provider"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// anthropicWire renders the Messages API: named SSE events from message_start to
// message_stop, ping events, error events.
type anthropicWire struct{}

func (anthropicWire) basePath() string { return "" }

func (anthropicWire) route(method, path string) (endpoint, string) {
	switch {
	case method == http.MethodPost && path == "/v1/messages":
		return epChat, ""
	case method == http.MethodGet && path == "/v1/models":
		return epModels, ""
	}
	return epUnknown, ""
}

func (anthropicWire) authorized(h httpHeader, key string) bool {
	return h.Get("X-Api-Key") == key
}

type anError struct {
	Type    string         `json:"type"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

type anErrorBody struct {
	Type      string  `json:"type"`
	Error     anError `json:"error"`
	RequestID string  `json:"request_id,omitempty"`
}

func anErrorOf(f *Failure, model string) (int, anError) {
	var status int
	var e anError
	switch f.Kind {
	case provider.KindInvalidRequest:
		status, e = 400, anError{Type: "invalid_request_error", Message: "messages: at least one message is required"}
	case provider.KindAuth:
		status, e = 401, anError{Type: "authentication_error", Message: "invalid x-api-key"}
	case provider.KindNotFound:
		status, e = 404, anError{Type: "not_found_error", Message: "model: " + model}
	case provider.KindRateLimited:
		status, e = 429, anError{Type: "rate_limit_error", Message: "This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits."}
	case provider.KindQuotaExhausted:
		status, e = 429, anError{Type: "rate_limit_error", Message: "You have reached your specified API usage limits. You will regain access on 2026-12-01 at 00:00 UTC.",
			Details: map[string]any{"error_code": "enforced_spend_limit_reached"}}
	case provider.KindOverloaded:
		status, e = 529, anError{Type: "overloaded_error", Message: "Overloaded"}
	default:
		status, e = 500, anError{Type: "api_error", Message: "Internal server error"}
	}
	if f.Message != "" {
		e.Message = f.Message
	}
	return status, e
}

func (anthropicWire) failure(f *Failure, model string) (int, http.Header, []byte) {
	status, e := anErrorOf(f, model)
	h := retryHeaders(f)
	h.Set("Request-Id", "req_011CSHoEeqs5C35K2UUqR7Fy")
	if status == http.StatusTooManyRequests {
		h.Set("Anthropic-Ratelimit-Requests-Limit", "50")
		h.Set("Anthropic-Ratelimit-Requests-Remaining", "0")
	}
	return status, h, mustJSON(anErrorBody{Type: "error", Error: e, RequestID: "req_011CSHoEeqs5C35K2UUqR7Fy"})
}

// anSignature is a thinking block's signature (opaque to the client).
const anSignature = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"

var anStop = map[aiv1.FinishReason]string{
	aiv1.FinishReason_FINISH_REASON_STOP:           "end_turn",
	aiv1.FinishReason_FINISH_REASON_LENGTH:         "max_tokens",
	aiv1.FinishReason_FINISH_REASON_TOOL_CALLS:     "tool_use",
	aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER: "refusal",
}

type anUsage struct {
	InputTokens              int64           `json:"input_tokens"`
	CacheCreationInputTokens int64           `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64           `json:"cache_read_input_tokens"`
	CacheCreation            anCacheCreation `json:"cache_creation"`
	OutputTokens             int64           `json:"output_tokens"`
	ServiceTier              string          `json:"service_tier"`
}

// anCacheCreation splits cache_creation_input_tokens by TTL; the API sends it in
// every message_start since the 1-hour cache TTL, zeros included.
type anCacheCreation struct {
	Ephemeral5mInputTokens int64 `json:"ephemeral_5m_input_tokens"`
	Ephemeral1hInputTokens int64 `json:"ephemeral_1h_input_tokens"`
}

type anMessage struct {
	ID           string  `json:"id"`
	Type         string  `json:"type"`
	Role         string  `json:"role"`
	Model        string  `json:"model"`
	Content      []any   `json:"content"`
	StopReason   *string `json:"stop_reason"`
	StopSequence *string `json:"stop_sequence"`
	Usage        anUsage `json:"usage"`
}

type anMessageStart struct {
	Type    string    `json:"type"`
	Message anMessage `json:"message"`
}

type anBlockStart struct {
	Type         string  `json:"type"`
	Index        int     `json:"index"`
	ContentBlock anBlock `json:"content_block"`
}

type anBlockDelta struct {
	Type  string  `json:"type"`
	Index int     `json:"index"`
	Delta anDelta `json:"delta"`
}

type anBlock struct {
	Type      string          `json:"type"`
	Text      *string         `json:"text,omitempty"`
	Thinking  *string         `json:"thinking,omitempty"`
	Signature *string         `json:"signature,omitempty"`
	ID        string          `json:"id,omitempty"`
	Name      string          `json:"name,omitempty"`
	Input     *map[string]any `json:"input,omitempty"`
}

type anDelta struct {
	Type        string  `json:"type"`
	Text        *string `json:"text,omitempty"`
	Thinking    *string `json:"thinking,omitempty"`
	Signature   *string `json:"signature,omitempty"`
	PartialJSON *string `json:"partial_json,omitempty"`
}

func (anthropicWire) stream(_ *Request, model string, r *Reply) []frame {
	u := r.usage()
	frames := []frame{event("message_start", mustJSON(anMessageStart{Type: "message_start", Message: anMessage{
		ID: "msg_01XFDUDYJgAACzvnptvVoYEL", Type: "message", Role: "assistant", Model: model, Content: []any{},
		Usage: anUsage{InputTokens: u.InputTokens - u.CacheReadTokens - u.CacheWriteTokens, CacheCreationInputTokens: u.CacheWriteTokens,
			CacheReadInputTokens: u.CacheReadTokens, OutputTokens: 1, ServiceTier: "standard",
			CacheCreation: anCacheCreation{Ephemeral5mInputTokens: u.CacheWriteTokens - r.CacheWrite1hTokens, Ephemeral1hInputTokens: r.CacheWrite1hTokens}},
	}}))}
	index, open, openTool := -1, "", -1
	var delta func(d anDelta) frame
	closeBlock := func() {
		if open == "thinking" { // a thinking block ends with its signature
			frames = append(frames, delta(anDelta{Type: "signature_delta", Signature: new(anSignature)}))
		}
		if open != "" {
			frames = append(frames, event("content_block_stop", []byte(fmt.Sprintf(`{"type":"content_block_stop","index":%d}`, index))))
			open = ""
		}
	}
	start := func(b anBlock) {
		closeBlock()
		index++
		open = b.Type
		frames = append(frames, event("content_block_start", mustJSON(anBlockStart{Type: "content_block_start", Index: index, ContentBlock: b})))
	}
	delta = func(d anDelta) frame {
		return event("content_block_delta", mustJSON(anBlockDelta{Type: "content_block_delta", Index: index, Delta: d}))
	}
	for _, s := range r.Steps {
		if s.Refusal != "" { // no refusal field: a refusal is text
			s.Text = s.Refusal
		}
		if fr, ok := commonStep(s); ok {
			frames = append(frames, fr)
			continue
		}
		n := len(frames)
		switch {
		case s.Text != "":
			if open != "text" {
				start(anBlock{Type: "text", Text: new("")})
			}
			frames = append(frames, delta(anDelta{Type: "text_delta", Text: &s.Text}))
		case s.Thinking != "":
			if open != "thinking" {
				start(anBlock{Type: "thinking", Thinking: new(""), Signature: new("")})
			}
			frames = append(frames, delta(anDelta{Type: "thinking_delta", Thinking: &s.Thinking}))
		case s.ToolCall != nil:
			if open != "tool_use" || openTool != s.ToolCall.Index || s.ToolCall.ID != "" {
				start(anBlock{Type: "tool_use", ID: s.ToolCall.ID, Name: s.ToolCall.Name, Input: &map[string]any{}})
				openTool = s.ToolCall.Index
				frames = append(frames, delta(anDelta{Type: "input_json_delta", PartialJSON: new("")}))
			}
			if s.ToolCall.Args != "" {
				frames = append(frames, delta(anDelta{Type: "input_json_delta", PartialJSON: &s.ToolCall.Args}))
			}
		case s.Ping:
			frames = append(frames, event("ping", []byte(`{"type": "ping"}`)))
		case s.Error != nil:
			_, e := anErrorOf(s.Error, model)
			frames = append(frames, event("error", []byte(fmt.Sprintf(`{"type": "error", "error": {"type": %q, "message": %q}}`, e.Type, e.Message))))
		}
		if len(frames) > n {
			frames[n].delay = s.Delay
		}
	}
	if r.Truncate {
		return frames
	}
	closeBlock()
	frames = append(frames,
		event("message_delta", []byte(fmt.Sprintf(`{"type":"message_delta","delta":{"stop_reason":%q,"stop_sequence":null},"usage":{"output_tokens":%d}}`,
			r.wireFinish(anStop), u.OutputTokens))),
		event("message_stop", []byte(`{"type":"message_stop"}`)))
	return frames
}

func (anthropicWire) models(ids []string) []byte {
	type model struct {
		Type        string `json:"type"`
		ID          string `json:"id"`
		DisplayName string `json:"display_name"`
		CreatedAt   string `json:"created_at"`
	}
	out := struct {
		Data    []model `json:"data"`
		HasMore bool    `json:"has_more"`
		FirstID *string `json:"first_id"`
		LastID  *string `json:"last_id"`
	}{Data: []model{}}
	for _, id := range ids {
		out.Data = append(out.Data, model{Type: "model", ID: id, DisplayName: id, CreatedAt: "2025-09-29T00:00:00Z"})
	}
	if len(ids) > 0 {
		out.FirstID, out.LastID = &ids[0], &ids[len(ids)-1]
	}
	return mustJSON(out)
}

func (anthropicWire) embed([]byte, string) ([]byte, *Failure) {
	return nil, &Failure{Kind: provider.KindNotFound, Message: "Not found"}
}

func (anthropicWire) carried(u *aiv1.Usage) *aiv1.Usage {
	return &aiv1.Usage{InputTokens: u.InputTokens, OutputTokens: u.OutputTokens, CacheReadTokens: u.CacheReadTokens, CacheWriteTokens: u.CacheWriteTokens}
}
