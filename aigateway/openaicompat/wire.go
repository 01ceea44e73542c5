package openaicompat

import (
	"encoding/json"
	"io"
	"strconv"
)

// The response shapes of OpenAI's chat completions API.

type completion struct {
	ID      string   `json:"id"`
	Object  string   `json:"object"`
	Created int64    `json:"created"`
	Model   string   `json:"model"`
	Choices []choice `json:"choices"`
	Usage   *usage   `json:"usage,omitempty"`
}

type choice struct {
	Index        int         `json:"index"`
	Message      *outMessage `json:"message,omitempty"`
	Delta        *delta      `json:"delta,omitempty"`
	FinishReason *string     `json:"finish_reason"`
}

type outMessage struct {
	Role      string     `json:"role"`
	Content   *string    `json:"content"`
	ToolCalls []toolCall `json:"tool_calls,omitempty"`
}

type delta struct {
	Role      string     `json:"role,omitempty"`
	Content   string     `json:"content,omitempty"`
	ToolCalls []toolCall `json:"tool_calls,omitempty"`
}

type usage struct {
	PromptTokens        int64 `json:"prompt_tokens"`
	CompletionTokens    int64 `json:"completion_tokens"`
	TotalTokens         int64 `json:"total_tokens"`
	PromptTokensDetails struct {
		CachedTokens int64 `json:"cached_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails struct {
		ReasoningTokens int64 `json:"reasoning_tokens"`
	} `json:"completion_tokens_details"`
	// CostNanosUSD is the gateway's own addition: the request's cost in nano-USD.
	CostNanosUSD int64 `json:"cost_nanos_usd"`
}

type errorEnvelope struct {
	Error struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Param   string `json:"param,omitempty"`
		Code    string `json:"code,omitempty"`
	} `json:"error"`
}

type model struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

type modelList struct {
	Object string  `json:"object"`
	Data   []model `json:"data"`
}

// eventWriter writes server-sent events, reusing one buffer.
type eventWriter struct {
	w   io.Writer
	buf []byte
}

func newEventWriter(w io.Writer) *eventWriter { return &eventWriter{w: w, buf: make([]byte, 0, 512)} }

func (e *eventWriter) event(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	e.buf = append(append(append(e.buf[:0], "data: "...), b...), "\n\n"...)
	_, _ = e.w.Write(e.buf)
}

func (e *eventWriter) done() { _, _ = io.WriteString(e.w, "data: [DONE]\n\n") }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
