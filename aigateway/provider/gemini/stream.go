package gemini

import (
	"encoding/json"
	"errors"
	"io"
	"strconv"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/provider/internal/call"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// usageMetadata is the part of UsageMetadata the gateway bills:
// totalTokenCount = promptTokenCount + candidatesTokenCount +
// toolUsePromptTokenCount + thoughtsTokenCount. cachedContentTokenCount is part of
// promptTokenCount; toolUsePromptTokenCount (the results of built-in tools, such
// as Google Search grounding or code execution, fed back to the model) is not, and
// Google bills it as input.
type usageMetadata struct {
	PromptTokenCount        int64 `json:"promptTokenCount"`
	CandidatesTokenCount    int64 `json:"candidatesTokenCount"`
	CachedContentTokenCount int64 `json:"cachedContentTokenCount"`
	ToolUsePromptTokenCount int64 `json:"toolUsePromptTokenCount"`
	ThoughtsTokenCount      int64 `json:"thoughtsTokenCount"`
}

// response is a GenerateContentResponse, or an error object sent in the stream.
type response struct {
	Candidates     []candidate `json:"candidates"`
	PromptFeedback *struct {
		BlockReason string `json:"blockReason"`
	} `json:"promptFeedback"`
	UsageMetadata *usageMetadata `json:"usageMetadata"`
	ModelVersion  call.Name      `json:"modelVersion"`
	Error         *status        `json:"error"`
}

type candidate struct {
	Content struct {
		Parts []chunkPart `json:"parts"`
	} `json:"content"`
	FinishReason string `json:"finishReason"`
}

type chunkPart struct {
	Text         string `json:"text"`
	Thought      bool   `json:"thought"`
	FunctionCall *struct {
		ID   string          `json:"id"`
		Name string          `json:"name"`
		Args json.RawMessage `json:"args"`
	} `json:"functionCall"`
}

// finishReasons maps Candidate.FinishReason; an unknown value is read as STOP.
// The reasons Gemini withholds an answer for (safety, recitation, blocklists, an
// unsupported language) are CONTENT_FILTER; those it abandons an answer for (a
// malformed, unexpected or excess tool call, a missing thought signature, a
// malformed response, an image it could not make, OTHER) are ERROR, so that the
// answer is not taken as complete (nor cached).
var finishReasons = map[string]aiv1.FinishReason{
	"STOP":                      aiv1.FinishReason_FINISH_REASON_STOP,
	"MAX_TOKENS":                aiv1.FinishReason_FINISH_REASON_LENGTH,
	"SAFETY":                    aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER,
	"RECITATION":                aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER,
	"LANGUAGE":                  aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER,
	"BLOCKLIST":                 aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER,
	"PROHIBITED_CONTENT":        aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER,
	"SPII":                      aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER,
	"IMAGE_SAFETY":              aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER,
	"IMAGE_PROHIBITED_CONTENT":  aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER,
	"IMAGE_RECITATION":          aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER,
	"MALFORMED_FUNCTION_CALL":   aiv1.FinishReason_FINISH_REASON_ERROR,
	"UNEXPECTED_TOOL_CALL":      aiv1.FinishReason_FINISH_REASON_ERROR,
	"TOO_MANY_TOOL_CALLS":       aiv1.FinishReason_FINISH_REASON_ERROR,
	"MISSING_THOUGHT_SIGNATURE": aiv1.FinishReason_FINISH_REASON_ERROR,
	"MALFORMED_RESPONSE":        aiv1.FinishReason_FINISH_REASON_ERROR,
	"OTHER":                     aiv1.FinishReason_FINISH_REASON_ERROR,
	"IMAGE_OTHER":               aiv1.FinishReason_FINISH_REASON_ERROR,
	"NO_IMAGE":                  aiv1.FinishReason_FINISH_REASON_ERROR,
}

// stream decodes streamGenerateContent chunks. Gemini has no terminator, so the
// last chunk (finish reason and the last usageMetadata) is sent at EOF.
type stream struct {
	body   *call.Body
	name   string
	model  string
	usage  usageMetadata
	finish aiv1.FinishReason
	calls  int32
	ended  bool
	r      response
	fast   fastBuf
}

// Usage counts tool-use prompt tokens as input (ai/v1 Usage has no field of
// their own) and thoughts as output, as Google bills them.
func (s *stream) Usage() *aiv1.Usage {
	u := &s.usage
	return &aiv1.Usage{InputTokens: u.PromptTokenCount + u.ToolUsePromptTokenCount, OutputTokens: u.CandidatesTokenCount + u.ThoughtsTokenCount,
		CacheReadTokens: u.CachedContentTokenCount, ReasoningTokens: u.ThoughtsTokenCount}
}

func (s *stream) Close() error { return s.body.Close() }

func (s *stream) Next() (*aiv1.ChatChunk, error) {
	if s.ended {
		return nil, s.body.End()
	}
	for {
		ev, err := s.body.Next()
		if errors.Is(err, io.EOF) {
			if s.finish == aiv1.FinishReason_FINISH_REASON_UNSPECIFIED {
				return nil, s.body.Truncated()
			}
			if s.finish == aiv1.FinishReason_FINISH_REASON_STOP && s.calls > 0 {
				s.finish = aiv1.FinishReason_FINISH_REASON_TOOL_CALLS
			}
			s.ended = true
			s.body.Done()
			return &aiv1.ChatChunk{Model: s.model, Provider: s.name, FinishReason: s.finish, Usage: s.Usage()}, nil
		}
		if err != nil {
			return nil, err
		}
		s.reset()
		if !s.fast.decode(ev.Data, &s.r) {
			s.reset()
			if err := json.Unmarshal(ev.Data, &s.r); err != nil {
				return nil, s.body.Malformed("undecodable chunk", ev.Data, err)
			}
		}
		r := &s.r
		if r.Error != nil {
			return nil, s.body.Fail(r.Error.provider(s.name, 0))
		}
		if r.UsageMetadata != nil {
			s.usage = *r.UsageMetadata
		}
		if r.ModelVersion.S != "" && r.ModelVersion.S != s.model {
			s.model = r.ModelVersion.S
		}
		if r.PromptFeedback != nil && r.PromptFeedback.BlockReason != "" {
			s.finish = aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER
		}
		if len(r.Candidates) == 0 {
			continue
		}
		c := &r.Candidates[0]
		if c.FinishReason != "" {
			fr, ok := finishReasons[c.FinishReason]
			if !ok {
				fr = aiv1.FinishReason_FINISH_REASON_STOP
			}
			s.finish = fr
		}
		var out *aiv1.ChatChunk
		for _, p := range c.Content.Parts {
			if p.FunctionCall == nil && (p.Text == "" || p.Thought) {
				continue
			}
			if out == nil {
				out = &aiv1.ChatChunk{Model: s.model, Provider: s.name}
			}
			if fc := p.FunctionCall; fc != nil {
				id := fc.ID
				if id == "" {
					id = "call_" + strconv.Itoa(int(s.calls))
				}
				args := string(fc.Args)
				if args == "" || args == "null" {
					args = "{}"
				}
				out.ToolCallDeltas = append(out.ToolCallDeltas, &aiv1.ToolCallDelta{Index: s.calls, Id: id, Name: fc.Name, ArgumentsDelta: args})
				s.calls++
				continue
			}
			out.DeltaText += p.Text
		}
		if out != nil {
			return out, nil
		}
	}
}

// reset empties s.r for the next chunk, keeping its candidates' memory and the
// model name.
func (s *stream) reset() {
	cands := s.r.Candidates[:cap(s.r.Candidates)]
	clear(cands)
	s.r = response{Candidates: cands[:0], ModelVersion: call.Name{S: s.model}}
}

var _ provider.Stream = (*stream)(nil)
