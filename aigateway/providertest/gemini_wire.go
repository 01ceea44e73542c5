package providertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/footingdev/footing/aigateway/provider"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// geminiWire renders the Gemini API: streamGenerateContent?alt=sse chunks
// (GenerateContentResponse JSON in Google's `"key": value` spacing, CRLF line
// endings), usageMetadata on every chunk, no terminator.
type geminiWire struct{}

func (geminiWire) basePath() string { return "/v1beta" }

func (geminiWire) route(method, path string) (endpoint, string) {
	if method == http.MethodGet && path == "/v1beta/models" {
		return epModels, ""
	}
	rest, ok := strings.CutPrefix(path, "/v1beta/models/")
	if !ok || method != http.MethodPost {
		return epUnknown, ""
	}
	model, action, ok := strings.Cut(rest, ":")
	switch {
	case !ok:
		return epUnknown, ""
	case action == "streamGenerateContent":
		return epChat, model
	case action == "batchEmbedContents":
		return epEmbed, model
	}
	return epUnknown, model
}

func (geminiWire) authorized(h httpHeader, key string) bool {
	return h.Get("X-Goog-Api-Key") == key
}

type gmStatus struct {
	Code    int              `json:"code"`
	Message string           `json:"message"`
	Status  string           `json:"status"`
	Details []map[string]any `json:"details,omitempty"`
}

func gmErrorOf(f *Failure, model string) gmStatus {
	var e gmStatus
	quota := func(id string) []map[string]any {
		d := []map[string]any{{
			"@type": "type.googleapis.com/google.rpc.QuotaFailure",
			"violations": []map[string]any{{
				"quotaMetric":     "generativelanguage.googleapis.com/generate_content_free_tier_requests",
				"quotaId":         id,
				"quotaDimensions": map[string]string{"location": "global", "model": model},
				"quotaValue":      "10",
			}},
		}, {
			"@type": "type.googleapis.com/google.rpc.Help",
			"links": []map[string]string{{"description": "Learn more about Gemini API quotas", "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}},
		}}
		if f.RetryAfter > 0 {
			d = append(d, map[string]any{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": fmt.Sprintf("%ds", int64(f.RetryAfter.Seconds()+0.999))})
		}
		return d
	}
	switch f.Kind {
	case provider.KindInvalidRequest:
		e = gmStatus{400, "Request contains an invalid argument.", "INVALID_ARGUMENT", nil}
	case provider.KindAuth:
		e = gmStatus{400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT", []map[string]any{{
			"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com",
			"metadata": map[string]string{"service": "generativelanguage.googleapis.com"},
		}}}
	case provider.KindNotFound:
		e = gmStatus{404, "models/" + model + " is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.", "NOT_FOUND", nil}
	case provider.KindRateLimited:
		e = gmStatus{429, "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.", "RESOURCE_EXHAUSTED",
			quota("GenerateRequestsPerMinutePerProjectPerModel-FreeTier")}
	case provider.KindQuotaExhausted:
		e = gmStatus{429, "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.", "RESOURCE_EXHAUSTED",
			quota("GenerateRequestsPerDayPerProjectPerModel-FreeTier")}
	case provider.KindOverloaded:
		e = gmStatus{503, "The model is overloaded. Please try again later.", "UNAVAILABLE", nil}
	default:
		e = gmStatus{500, "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting", "INTERNAL", nil}
	}
	if f.Message != "" {
		e.Message = f.Message
	}
	return e
}

func (geminiWire) failure(f *Failure, model string) (int, http.Header, []byte) {
	e := gmErrorOf(f, model)
	b, _ := json.MarshalIndent(map[string]gmStatus{"error": e}, "", "  ")
	// Gemini gives its retry hint in RetryInfo, never in a header.
	return e.Code, http.Header{}, append(b, '\n')
}

var gmFinish = map[aiv1.FinishReason]string{
	aiv1.FinishReason_FINISH_REASON_STOP:           "STOP",
	aiv1.FinishReason_FINISH_REASON_LENGTH:         "MAX_TOKENS",
	aiv1.FinishReason_FINISH_REASON_TOOL_CALLS:     "STOP",
	aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER: "SAFETY",
}

// gmUsage is usageMetadata with its fields in the order Google writes them (by
// field number in the UsageMetadata proto), zero counts left out.
type gmUsage struct {
	PromptTokenCount           int64            `json:"promptTokenCount"`
	CandidatesTokenCount       int64            `json:"candidatesTokenCount,omitempty"`
	TotalTokenCount            int64            `json:"totalTokenCount"`
	CachedContentTokenCount    int64            `json:"cachedContentTokenCount,omitempty"`
	PromptTokensDetails        []map[string]any `json:"promptTokensDetails"`
	ToolUsePromptTokenCount    int64            `json:"toolUsePromptTokenCount,omitempty"`
	ToolUsePromptTokensDetails []map[string]any `json:"toolUsePromptTokensDetails,omitempty"`
	ThoughtsTokenCount         int64            `json:"thoughtsTokenCount,omitempty"`
}

type gmPart struct {
	Text         *string `json:"text,omitempty"`
	Thought      bool    `json:"thought,omitempty"`
	FunctionCall *gmCall `json:"functionCall,omitempty"`
}

type gmCall struct {
	Name string         `json:"name"`
	Args map[string]any `json:"args"`
}

type gmCandidate struct {
	Content      map[string]any `json:"content"`
	FinishReason string         `json:"finishReason,omitempty"`
	Index        int            `json:"index"`
}

type gmChunk struct {
	Candidates    []gmCandidate `json:"candidates,omitempty"`
	UsageMetadata gmUsage       `json:"usageMetadata"`
	ModelVersion  string        `json:"modelVersion"`
	ResponseID    string        `json:"responseId"`
}

func (geminiWire) stream(_ *Request, model string, r *Reply) []frame {
	u := r.usage()
	prompt := u.InputTokens - r.ToolUsePromptTokens
	usage := func(out int64) gmUsage {
		// totalTokenCount = promptTokenCount + candidatesTokenCount +
		// toolUsePromptTokenCount + thoughtsTokenCount.
		g := gmUsage{PromptTokenCount: prompt, CandidatesTokenCount: out, TotalTokenCount: u.InputTokens + out,
			CachedContentTokenCount: u.CacheReadTokens,
			PromptTokensDetails:     []map[string]any{{"modality": "TEXT", "tokenCount": prompt}}}
		if r.ToolUsePromptTokens > 0 {
			g.ToolUsePromptTokenCount = r.ToolUsePromptTokens
			g.ToolUsePromptTokensDetails = []map[string]any{{"modality": "TEXT", "tokenCount": r.ToolUsePromptTokens}}
		}
		if out == u.OutputTokens-u.ReasoningTokens {
			g.ThoughtsTokenCount = u.ReasoningTokens
			g.TotalTokenCount += u.ReasoningTokens
		}
		return g
	}
	chunk := func(parts []gmPart, finish string, out int64) frame {
		c := gmChunk{UsageMetadata: usage(out), ModelVersion: model, ResponseID: "pNmDaMyqIqWm1PIP9eqAiQo"}
		if parts != nil {
			c.Candidates = []gmCandidate{{Content: map[string]any{"parts": parts, "role": "model"}, FinishReason: finish}}
		}
		return event("", googleJSON(mustJSON(c)))
	}
	var frames []frame
	var out int64
	var call *ToolCallStep
	var args strings.Builder
	flush := func() {
		if call == nil {
			return
		}
		var a map[string]any
		if err := json.Unmarshal([]byte(args.String()), &a); err != nil || a == nil {
			a = map[string]any{}
		}
		out++
		frames = append(frames, chunk([]gmPart{{FunctionCall: &gmCall{Name: call.Name, Args: a}}}, "", min(out, u.OutputTokens)))
		call = nil
		args.Reset()
	}
	for _, s := range r.Steps {
		if s.Refusal != "" { // no refusal field: a refusal is text
			s.Text = s.Refusal
		}
		if s.ToolCall != nil && call != nil && s.ToolCall.Index == call.Index && s.ToolCall.ID == "" {
			args.WriteString(s.ToolCall.Args)
			continue
		}
		flush()
		if fr, ok := commonStep(s); ok {
			frames = append(frames, fr)
			continue
		}
		n := len(frames)
		switch {
		case s.Text != "":
			out++
			frames = append(frames, chunk([]gmPart{{Text: &s.Text}}, "", min(out, u.OutputTokens)))
		case s.Thinking != "":
			frames = append(frames, chunk([]gmPart{{Text: &s.Thinking, Thought: true}}, "", min(out, u.OutputTokens)))
		case s.ToolCall != nil:
			call = s.ToolCall
			args.WriteString(s.ToolCall.Args)
		case s.Ping:
			frames = append(frames, comment("keep-alive"))
		case s.Error != nil:
			frames = append(frames, event("", googleJSON(mustJSON(map[string]gmStatus{"error": gmErrorOf(s.Error, model)}))))
		}
		if len(frames) > n {
			frames[n].delay = s.Delay
		}
	}
	flush()
	if r.Truncate {
		return frames
	}
	final := u.OutputTokens - u.ReasoningTokens
	if r.UsageOnlyChunk {
		frames = append(frames, chunk([]gmPart{{Text: new("")}}, r.wireFinish(gmFinish), min(out, final)))
		c := gmChunk{UsageMetadata: usage(final), ModelVersion: model, ResponseID: "pNmDaMyqIqWm1PIP9eqAiQo"}
		return append(frames, event("", googleJSON(mustJSON(c))))
	}
	return append(frames, chunk([]gmPart{{Text: new("")}}, r.wireFinish(gmFinish), final))
}

// googleJSON respaces compact JSON as Google's servers write it: a space after
// every colon, none after commas.
func googleJSON(b []byte) []byte {
	var out bytes.Buffer
	inString, escaped := false, false
	for _, c := range b {
		out.WriteByte(c)
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && c == ':':
			out.WriteByte(' ')
		}
	}
	return out.Bytes()
}

func (geminiWire) models(ids []string) []byte {
	type model struct {
		Name                       string   `json:"name"`
		Version                    string   `json:"version"`
		DisplayName                string   `json:"displayName"`
		InputTokenLimit            int64    `json:"inputTokenLimit"`
		OutputTokenLimit           int64    `json:"outputTokenLimit"`
		SupportedGenerationMethods []string `json:"supportedGenerationMethods"`
	}
	out := struct {
		Models []model `json:"models"`
	}{Models: []model{}}
	for _, id := range ids {
		m := model{Name: "models/" + id, Version: "001", DisplayName: id, InputTokenLimit: 1048576, OutputTokenLimit: 65536,
			SupportedGenerationMethods: []string{"generateContent", "countTokens", "createCachedContent", "batchGenerateContent"}}
		if strings.Contains(id, "embedding") {
			m.InputTokenLimit, m.OutputTokenLimit = 2048, 1
			m.SupportedGenerationMethods = []string{"embedContent", "countTextTokens", "countTokens"}
		}
		out.Models = append(out.Models, m)
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	return append(b, '\n')
}

func (geminiWire) embed(body []byte, path string) ([]byte, *Failure) {
	var req struct {
		Requests []struct {
			Model   string `json:"model"`
			Content struct {
				Parts []struct {
					Text string `json:"text"`
				} `json:"parts"`
			} `json:"content"`
			OutputDimensionality int `json:"outputDimensionality"`
		} `json:"requests"`
	}
	if err := json.Unmarshal(body, &req); err != nil || len(req.Requests) == 0 {
		return nil, &Failure{Kind: provider.KindInvalidRequest, Message: "Invalid JSON payload received."}
	}
	type emb struct {
		Values []float32 `json:"values"`
	}
	var out struct {
		Embeddings []emb `json:"embeddings"`
	}
	for i, r := range req.Requests {
		var text strings.Builder
		for _, p := range r.Content.Parts {
			text.WriteString(p.Text)
		}
		out.Embeddings = append(out.Embeddings, emb{Values: vector(i, text.String(), r.OutputDimensionality)})
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	return append(b, '\n'), nil
}

func (geminiWire) carried(u *aiv1.Usage) *aiv1.Usage {
	return &aiv1.Usage{InputTokens: u.InputTokens, OutputTokens: u.OutputTokens, CacheReadTokens: u.CacheReadTokens, ReasoningTokens: u.ReasoningTokens}
}
