package anthropic

import (
	"encoding/json"
	"errors"
	"io"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/provider/internal/call"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// usage is the API's usage object; message_delta's is cumulative and may repeat
// the input counts.
type usage struct {
	InputTokens              *int64 `json:"input_tokens"`
	CacheCreationInputTokens *int64 `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     *int64 `json:"cache_read_input_tokens"`
	OutputTokens             *int64 `json:"output_tokens"`
	// CacheCreation splits cache_creation_input_tokens by the cache's TTL.
	CacheCreation *struct {
		Ephemeral1hInputTokens *int64 `json:"ephemeral_1h_input_tokens"`
	} `json:"cache_creation"`
}

// event is the union of the stream's event payloads.
type event struct {
	Type    string `json:"type"`
	Message *struct {
		Model string `json:"model"`
		Usage usage  `json:"usage"`
	} `json:"message"`
	Index        int `json:"index"`
	ContentBlock *struct {
		Type string `json:"type"`
		ID   string `json:"id"`
		Name string `json:"name"`
		Text string `json:"text"`
	} `json:"content_block"`
	Delta struct {
		Type        string `json:"type"`
		Text        string `json:"text"`
		PartialJSON string `json:"partial_json"`
		StopReason  string `json:"stop_reason"`
	} `json:"delta"`
	Usage *usage     `json:"usage"`
	Error *errorBody `json:"error"`
}

// stopReasons maps the API's stop_reason values; an unknown one is read as STOP.
// model_context_window_exceeded is the model running into its context window
// before max_tokens: the answer is cut off, as it is at max_tokens.
var stopReasons = map[string]aiv1.FinishReason{
	"end_turn":                      aiv1.FinishReason_FINISH_REASON_STOP,
	"stop_sequence":                 aiv1.FinishReason_FINISH_REASON_STOP,
	"pause_turn":                    aiv1.FinishReason_FINISH_REASON_STOP,
	"max_tokens":                    aiv1.FinishReason_FINISH_REASON_LENGTH,
	"model_context_window_exceeded": aiv1.FinishReason_FINISH_REASON_LENGTH,
	"tool_use":                      aiv1.FinishReason_FINISH_REASON_TOOL_CALLS,
	"refusal":                       aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER,
}

// stream decodes Messages API events.
type stream struct {
	body   *call.Body
	name   string
	model  string
	finish aiv1.FinishReason
	ended  bool
	// The API's own counts; Usage adds cache tokens into InputTokens. cacheWrite1h
	// is the part of cacheWrite written to a 1-hour cache.
	input, cacheRead, cacheWrite, cacheWrite1h, output int64
	// tools maps a content block index to its tool call's index; ncalls counts
	// the calls started (a block index started again starts another call).
	tools  map[int]int32
	ncalls int32
	ev     event
}

func (s *stream) Usage() *aiv1.Usage {
	return &aiv1.Usage{InputTokens: s.input + s.cacheRead + s.cacheWrite, OutputTokens: s.output,
		CacheReadTokens: s.cacheRead, CacheWriteTokens: s.cacheWrite}
}

// CacheWrite1hTokens is the part of Usage().CacheWriteTokens written to a 1-hour
// cache (usage.cache_creation.ephemeral_1h_input_tokens), at most all of them.
func (s *stream) CacheWrite1hTokens() int64 { return max(min(s.cacheWrite1h, s.cacheWrite), 0) }

func (s *stream) Close() error { return s.body.Close() }

func (s *stream) setUsage(u *usage) {
	set := func(dst *int64, v *int64) {
		if v != nil {
			*dst = *v
		}
	}
	set(&s.input, u.InputTokens)
	set(&s.cacheRead, u.CacheReadInputTokens)
	set(&s.cacheWrite, u.CacheCreationInputTokens)
	set(&s.output, u.OutputTokens)
	if u.CacheCreation != nil {
		set(&s.cacheWrite1h, u.CacheCreation.Ephemeral1hInputTokens)
	}
}

func (s *stream) chunk() *aiv1.ChatChunk {
	return &aiv1.ChatChunk{Model: s.model, Provider: s.name}
}

func (s *stream) Next() (*aiv1.ChatChunk, error) {
	if s.ended {
		return nil, s.body.End()
	}
	for {
		ev, err := s.body.Next()
		if errors.Is(err, io.EOF) {
			return nil, s.body.Truncated()
		}
		if err != nil {
			return nil, err
		}
		switch ev.Type {
		case "ping", "content_block_stop":
			continue // nothing for the caller: skip decoding
		case "":
			// Every Messages API event is named; an unnamed one is not ours.
			return nil, s.body.Malformed("unnamed event", ev.Data, nil)
		}
		if ev.Type == "content_block_delta" {
			if _, text, ok := fastTextDelta(ev.Data); ok {
				if text == "" {
					continue
				}
				out := s.chunk()
				out.DeltaText = text
				return out, nil
			}
		}
		s.ev = event{}
		if err := json.Unmarshal(ev.Data, &s.ev); err != nil {
			return nil, s.body.Malformed("undecodable "+ev.Type+" event", ev.Data, err)
		}
		e := &s.ev
		switch ev.Type {
		case "message_start":
			if e.Message != nil {
				if e.Message.Model != "" {
					s.model = e.Message.Model
				}
				s.setUsage(&e.Message.Usage)
			}
		case "content_block_start":
			if cb := e.ContentBlock; cb != nil {
				switch cb.Type {
				case "tool_use":
					idx := s.ncalls
					s.ncalls++
					s.tools[e.Index] = idx
					out := s.chunk()
					out.ToolCallDeltas = []*aiv1.ToolCallDelta{{Index: idx, Id: cb.ID, Name: cb.Name}}
					return out, nil
				case "text":
					if cb.Text != "" {
						out := s.chunk()
						out.DeltaText = cb.Text
						return out, nil
					}
				}
			}
		case "content_block_delta":
			if d := &e.Delta; d.Type != "" {
				switch d.Type {
				case "text_delta":
					if d.Text != "" {
						out := s.chunk()
						out.DeltaText = d.Text
						return out, nil
					}
				case "input_json_delta":
					idx, ok := s.tools[e.Index]
					if ok && d.PartialJSON != "" {
						out := s.chunk()
						out.ToolCallDeltas = []*aiv1.ToolCallDelta{{Index: idx, ArgumentsDelta: d.PartialJSON}}
						return out, nil
					}
				}
			}
		case "message_delta":
			if e.Delta.StopReason != "" {
				fr, ok := stopReasons[e.Delta.StopReason]
				if !ok {
					fr = aiv1.FinishReason_FINISH_REASON_STOP
				}
				s.finish = fr
			}
			if e.Usage != nil {
				s.setUsage(e.Usage)
			}
		case "message_stop":
			out := s.chunk()
			out.FinishReason = s.finish
			if out.FinishReason == aiv1.FinishReason_FINISH_REASON_UNSPECIFIED {
				out.FinishReason = aiv1.FinishReason_FINISH_REASON_STOP
			}
			out.Usage = s.Usage()
			s.ended = true
			s.body.Done()
			return out, nil
		case "error":
			if e.Error == nil {
				e.Error = &errorBody{Type: "api_error"}
			}
			return nil, s.body.Fail(e.Error.provider(s.name, 0))
		}
		// Thinking deltas and unknown events carry nothing for the caller.
	}
}

var (
	_ provider.Stream               = (*stream)(nil)
	_ provider.CacheWrite1hReporter = (*stream)(nil)
)
