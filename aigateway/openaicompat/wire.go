package openaicompat

import (
	"encoding/json"
	"io"
	"strconv"
	"unicode/utf8"
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

// chunk writes a chat.completion.chunk event. The common one — one choice with a
// text delta or a finish reason — is encoded without reflection, byte for byte as
// encoding/json would (FuzzAppendChunk); others go through [eventWriter.event].
func (e *eventWriter) chunk(c completion) {
	if len(c.Choices) != 1 || c.Usage != nil || c.Choices[0].Message != nil || c.Choices[0].Delta == nil || len(c.Choices[0].Delta.ToolCalls) > 0 {
		e.event(c)
		return
	}
	e.buf = append(appendChunk(append(e.buf[:0], "data: "...), c), "\n\n"...)
	_, _ = e.w.Write(e.buf)
}

// text writes a chat.completion.chunk event with one choice (index 0) whose delta
// has role and content (each left out when empty) and whose finish reason is
// finish (null when empty), byte for byte as encoding/json would write it, without
// building the event first.
func (e *eventWriter) text(id, model string, created int64, role, content, finish string) {
	e.buf = append(appendText(append(e.buf[:0], "data: "...), id, "chat.completion.chunk", created, model, 0, role, content, finish, finish != ""), "\n\n"...)
	_, _ = e.w.Write(e.buf)
}

// appendChunk appends c, which has one choice with a delta without tool calls and
// no usage, as encoding/json encodes it.
func appendChunk(b []byte, c completion) []byte {
	ch := c.Choices[0]
	finish, hasFinish := "", ch.FinishReason != nil
	if hasFinish {
		finish = *ch.FinishReason
	}
	return appendText(b, c.ID, c.Object, c.Created, c.Model, ch.Index, ch.Delta.Role, ch.Delta.Content, finish, hasFinish)
}

// appendText appends a completion with one choice whose delta has role and
// content and no tool calls, and no usage, as encoding/json encodes it; the
// finish reason is null unless hasFinish.
func appendText(b []byte, id, object string, created int64, model string, index int, role, content, finish string, hasFinish bool) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, id)
	b = append(b, `,"object":`...)
	b = appendString(b, object)
	b = append(b, `,"created":`...)
	b = strconv.AppendInt(b, created, 10)
	b = append(b, `,"model":`...)
	b = appendString(b, model)
	b = append(b, `,"choices":[{"index":`...)
	b = strconv.AppendInt(b, int64(index), 10)
	b = append(b, `,"delta":{`...)
	if role != "" {
		b = appendString(append(b, `"role":`...), role)
	}
	if content != "" {
		if role != "" {
			b = append(b, ',')
		}
		b = appendString(append(b, `"content":`...), content)
	}
	b = append(b, `},"finish_reason":`...)
	if hasFinish {
		b = appendString(b, finish)
	} else {
		b = append(b, "null"...)
	}
	return append(b, "}]}"...)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as encoding/json escapes it:
// HTML-safe, invalid UTF-8 replaced by U+FFFD, U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(append(b, s[start:i]...), `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(append(b, s[start:]...), '"')
}

func (e *eventWriter) done() { _, _ = io.WriteString(e.w, "data: [DONE]\n\n") }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
