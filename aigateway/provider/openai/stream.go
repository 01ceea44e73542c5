package openai

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/provider/internal/call"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// chunk is a chat.completion.chunk, or an error object sent in the stream.
type chunk struct {
	Model   call.Name     `json:"model"`
	Choices []chunkChoice `json:"choices"`
	Usage   *usage        `json:"usage"`
	Error   *errorBody    `json:"error"`
}

type chunkChoice struct {
	Index        int        `json:"index"`
	Delta        chunkDelta `json:"delta"`
	FinishReason string     `json:"finish_reason"`
}

type chunkDelta struct {
	Content string `json:"content"`
	// Refusal is the model's refusal, which structured outputs send in place
	// of content.
	Refusal   string `json:"refusal"`
	ToolCalls []struct {
		Index    int32  `json:"index"`
		ID       string `json:"id"`
		Function struct {
			Name      string `json:"name"`
			Arguments string `json:"arguments"`
		} `json:"function"`
	} `json:"tool_calls"`
}

type usage struct {
	PromptTokens        int64 `json:"prompt_tokens"`
	CompletionTokens    int64 `json:"completion_tokens"`
	PromptTokensDetails struct {
		CachedTokens int64 `json:"cached_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails struct {
		ReasoningTokens int64 `json:"reasoning_tokens"`
	} `json:"completion_tokens_details"`
}

var finishReasons = map[string]aiv1.FinishReason{
	"stop":           aiv1.FinishReason_FINISH_REASON_STOP,
	"length":         aiv1.FinishReason_FINISH_REASON_LENGTH,
	"tool_calls":     aiv1.FinishReason_FINISH_REASON_TOOL_CALLS,
	"function_call":  aiv1.FinishReason_FINISH_REASON_TOOL_CALLS,
	"content_filter": aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER,
}

var done = []byte("[DONE]")

// stream decodes chat.completion.chunk events. The chunk that carries the finish
// reason is held back until the usage-only chunk and "[DONE]" arrive, so the
// caller's last chunk has both.
type stream struct {
	body     *call.Body
	name     string
	model    string
	usage    aiv1.Usage
	hasUsage bool
	pending  *aiv1.ChatChunk
	ended    bool
	// refused is set once a refusal delta arrived: the answer's "stop" is then
	// a CONTENT_FILTER.
	refused bool
	c       chunk
}

// Usage returns the usage reported so far.
func (s *stream) Usage() *aiv1.Usage { return cloneUsage(&s.usage) }

func cloneUsage(u *aiv1.Usage) *aiv1.Usage {
	return &aiv1.Usage{InputTokens: u.InputTokens, OutputTokens: u.OutputTokens, CacheReadTokens: u.CacheReadTokens,
		CacheWriteTokens: u.CacheWriteTokens, ReasoningTokens: u.ReasoningTokens}
}

func (s *stream) Close() error { return s.body.Close() }

func (s *stream) Next() (*aiv1.ChatChunk, error) {
	if s.ended {
		return nil, s.body.End()
	}
	for {
		ev, err := s.body.Next()
		if errors.Is(err, io.EOF) {
			if s.pending != nil { // a compatible server that ends without [DONE]
				return s.finish(), nil
			}
			return nil, s.body.Truncated()
		}
		if err != nil {
			return nil, err
		}
		if bytes.Equal(bytes.TrimSpace(ev.Data), done) {
			if s.pending == nil {
				return nil, s.body.Truncated()
			}
			return s.finish(), nil
		}
		// Reset the chunk but keep the choices' memory and the model name.
		s.reset()
		if !fastChunk(ev.Data, &s.c) {
			s.reset()
			if err := json.Unmarshal(ev.Data, &s.c); err != nil {
				return nil, s.body.Malformed("undecodable chunk", ev.Data, err)
			}
		}
		if s.c.Error != nil {
			return nil, s.body.Fail(streamError(s.name, s.c.Error))
		}
		if s.c.Usage != nil {
			s.setUsage(s.c.Usage)
		}
		out := s.convert()
		if out == nil {
			continue
		}
		if out.FinishReason != aiv1.FinishReason_FINISH_REASON_UNSPECIFIED {
			s.pending = out
			continue
		}
		return out, nil
	}
}

// reset empties s.c for the next event, keeping its choices' memory and the
// model name.
func (s *stream) reset() {
	choices := s.c.Choices[:cap(s.c.Choices)]
	clear(choices)
	s.c = chunk{Choices: choices[:0], Model: call.Name{S: s.model}}
}

func (s *stream) setUsage(u *usage) {
	s.hasUsage = true
	s.usage = aiv1.Usage{InputTokens: u.PromptTokens, OutputTokens: u.CompletionTokens,
		CacheReadTokens: u.PromptTokensDetails.CachedTokens, ReasoningTokens: u.CompletionTokensDetails.ReasoningTokens}
}

// convert turns the first choice of the decoded chunk into a ChatChunk, or nil
// when it carries nothing for the caller. A refusal is passed on as text (ai/v1
// has no field of its own for it), and the answer it is in ends with
// CONTENT_FILTER where the API says "stop".
func (s *stream) convert() *aiv1.ChatChunk {
	if len(s.c.Choices) == 0 {
		return nil
	}
	ch := &s.c.Choices[0]
	if ch.Delta.Content == "" && ch.Delta.Refusal == "" && len(ch.Delta.ToolCalls) == 0 && ch.FinishReason == "" {
		return nil
	}
	out := &aiv1.ChatChunk{Model: s.model, Provider: s.name, DeltaText: ch.Delta.Content + ch.Delta.Refusal}
	if ch.Delta.Refusal != "" {
		s.refused = true
	}
	if s.c.Model.S != "" && s.c.Model.S != s.model {
		s.model = s.c.Model.S
		out.Model = s.model
	}
	for _, tc := range ch.Delta.ToolCalls {
		out.ToolCallDeltas = append(out.ToolCallDeltas, &aiv1.ToolCallDelta{Index: tc.Index, Id: tc.ID, Name: tc.Function.Name, ArgumentsDelta: tc.Function.Arguments})
	}
	if ch.FinishReason != "" {
		fr, ok := finishReasons[ch.FinishReason]
		if !ok {
			fr = aiv1.FinishReason_FINISH_REASON_STOP
		}
		if s.refused && fr == aiv1.FinishReason_FINISH_REASON_STOP {
			fr = aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER
		}
		out.FinishReason = fr
	}
	return out
}

// finish returns the held-back last chunk with the usage, and ends the stream.
func (s *stream) finish() *aiv1.ChatChunk {
	out := s.pending
	s.pending = nil
	out.Usage = cloneUsage(&s.usage)
	s.ended = true
	s.body.Done()
	return out
}

var _ provider.Stream = (*stream)(nil)
