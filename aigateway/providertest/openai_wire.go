package providertest

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/footingdev/footing/aigateway/provider"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// openaiWire renders the Chat Completions API: chat.completion.chunk objects on
// "data:" lines, the include_usage chunk with empty choices, "data: [DONE]".
type openaiWire struct{}

func (openaiWire) basePath() string { return "/v1" }

func (openaiWire) route(method, path string) (endpoint, string) {
	switch {
	case method == http.MethodPost && path == "/v1/chat/completions":
		return epChat, ""
	case method == http.MethodGet && path == "/v1/models":
		return epModels, ""
	case method == http.MethodPost && path == "/v1/embeddings":
		return epEmbed, ""
	}
	return epUnknown, ""
}

func (openaiWire) authorized(h httpHeader, key string) bool {
	return h.Get("Authorization") == "Bearer "+key
}

type oaError struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

func oaErrorOf(f *Failure, model string) (int, oaError) {
	str := func(s string) *string { return &s }
	var status int
	var e oaError
	switch f.Kind {
	case provider.KindInvalidRequest:
		status, e = 400, oaError{Message: "Invalid value for 'messages'.", Type: "invalid_request_error", Param: str("messages")}
	case provider.KindAuth:
		status, e = 401, oaError{Message: "Incorrect API key provided: sk-wrong*****. You can find your API key at https://platform.openai.com/account/api-keys.", Type: "invalid_request_error", Code: str("invalid_api_key")}
	case provider.KindNotFound:
		status, e = 404, oaError{Message: fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", model), Type: "invalid_request_error", Code: str("model_not_found")}
	case provider.KindRateLimited:
		status, e = 429, oaError{Message: fmt.Sprintf("Rate limit reached for %s in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.", model), Type: "requests", Code: str("rate_limit_exceeded")}
	case provider.KindQuotaExhausted:
		status, e = 429, oaError{Message: "You exceeded your current quota, please check your plan and billing details.", Type: "insufficient_quota", Code: str("insufficient_quota")}
	case provider.KindOverloaded:
		status, e = 503, oaError{Message: "The engine is currently overloaded, please try again later.", Type: "server_error"}
	default:
		status, e = 500, oaError{Message: "The server had an error while processing your request. Sorry about that!", Type: "server_error"}
	}
	if f.Message != "" {
		e.Message = f.Message
	}
	return status, e
}

func (openaiWire) failure(f *Failure, model string) (int, http.Header, []byte) {
	status, e := oaErrorOf(f, model)
	b, _ := json.MarshalIndent(map[string]oaError{"error": e}, "", "    ")
	h := retryHeaders(f)
	if status == http.StatusTooManyRequests {
		h.Set("X-Ratelimit-Limit-Requests", "3")
		h.Set("X-Ratelimit-Remaining-Requests", "0")
	}
	return status, h, append(b, '\n')
}

type oaChunk struct {
	ID                string     `json:"id"`
	Object            string     `json:"object"`
	Created           int64      `json:"created"`
	Model             string     `json:"model"`
	ServiceTier       string     `json:"service_tier"`
	SystemFingerprint string     `json:"system_fingerprint"`
	Choices           []oaChoice `json:"choices"`
	Usage             *oaUsage   `json:"usage,omitempty"`
	withUsage         bool
}

type oaChoice struct {
	Index        int     `json:"index"`
	Delta        oaDelta `json:"delta"`
	Logprobs     *string `json:"logprobs"`
	FinishReason *string `json:"finish_reason"`
}

type oaDelta struct {
	Role      string       `json:"role,omitempty"`
	Content   *string      `json:"content,omitempty"`
	Refusal   *string      `json:"refusal,omitempty"`
	ToolCalls []oaToolCall `json:"tool_calls,omitempty"`
	// first renders the first chunk's delta as the API does, with both content
	// and refusal, one of them null: {"role":"assistant","content":"","refusal":null},
	// or, when the answer is a refusal, {"role":"assistant","content":null,"refusal":""}.
	first bool
}

func (d oaDelta) MarshalJSON() ([]byte, error) {
	type plain oaDelta
	if !d.first {
		return mustJSON(plain(d)), nil
	}
	return mustJSON(struct {
		Role    string  `json:"role"`
		Content *string `json:"content"`
		Refusal *string `json:"refusal"`
	}{d.Role, d.Content, d.Refusal}), nil
}

type oaToolCall struct {
	Index    int        `json:"index"`
	ID       string     `json:"id,omitempty"`
	Type     string     `json:"type,omitempty"`
	Function oaFunction `json:"function"`
}

type oaFunction struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

type oaUsage struct {
	PromptTokens        int64 `json:"prompt_tokens"`
	CompletionTokens    int64 `json:"completion_tokens"`
	TotalTokens         int64 `json:"total_tokens"`
	PromptTokensDetails struct {
		CachedTokens int64 `json:"cached_tokens"`
		AudioTokens  int64 `json:"audio_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails struct {
		ReasoningTokens          int64 `json:"reasoning_tokens"`
		AudioTokens              int64 `json:"audio_tokens"`
		AcceptedPredictionTokens int64 `json:"accepted_prediction_tokens"`
		RejectedPredictionTokens int64 `json:"rejected_prediction_tokens"`
	} `json:"completion_tokens_details"`
}

// data renders the chunk; with include_usage every chunk but the last carries
// "usage":null, as the API sends it.
func (c *oaChunk) data() []byte {
	b := mustJSON(c)
	if c.withUsage && c.Usage == nil {
		b = append(b[:len(b)-1], `,"usage":null}`...)
	}
	return b
}

var oaFinish = map[aiv1.FinishReason]string{
	aiv1.FinishReason_FINISH_REASON_STOP:           "stop",
	aiv1.FinishReason_FINISH_REASON_LENGTH:         "length",
	aiv1.FinishReason_FINISH_REASON_TOOL_CALLS:     "tool_calls",
	aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER: "content_filter",
}

func (w openaiWire) stream(req *Request, model string, r *Reply) []frame {
	var opts struct {
		StreamOptions struct {
			IncludeUsage bool `json:"include_usage"`
		} `json:"stream_options"`
	}
	_ = json.Unmarshal(req.Body, &opts)
	base := oaChunk{ID: "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG", Object: "chat.completion.chunk", Created: 1741570283,
		Model: model, ServiceTier: "default", SystemFingerprint: "fp_06737a9306", withUsage: opts.StreamOptions.IncludeUsage}
	chunk := func(d oaDelta, finish *string) frame {
		c := base
		c.Choices = []oaChoice{{Delta: d, FinishReason: finish}}
		return event("", c.data())
	}
	empty := ""
	first := oaDelta{Role: "assistant", Content: &empty, first: true}
	for _, s := range r.Steps {
		if s.Refusal != "" {
			first.Content, first.Refusal = nil, &empty
		}
		if s.Text != "" || s.Refusal != "" || s.ToolCall != nil {
			break
		}
	}
	frames := []frame{chunk(first, nil)}
	for _, s := range r.Steps {
		if fr, ok := commonStep(s); ok {
			frames = append(frames, fr)
			continue
		}
		var fr frame
		switch {
		case s.Text != "":
			fr = chunk(oaDelta{Content: &s.Text}, nil)
		case s.Refusal != "":
			fr = chunk(oaDelta{Refusal: &s.Refusal}, nil)
		case s.ToolCall != nil:
			tc := oaToolCall{Index: s.ToolCall.Index, ID: s.ToolCall.ID, Function: oaFunction{Name: s.ToolCall.Name, Arguments: s.ToolCall.Args}}
			if tc.ID != "" {
				tc.Type = "function"
			}
			fr = chunk(oaDelta{ToolCalls: []oaToolCall{tc}}, nil)
		case s.Ping:
			fr = comment("keep-alive")
		case s.Error != nil:
			_, e := oaErrorOf(s.Error, model)
			fr = event("", mustJSON(map[string]oaError{"error": e}))
		default:
			continue
		}
		fr.delay = s.Delay
		frames = append(frames, fr)
	}
	if r.Truncate {
		return frames
	}
	finish := r.wireFinish(oaFinish)
	frames = append(frames, chunk(oaDelta{}, &finish))
	if opts.StreamOptions.IncludeUsage {
		u := r.usage()
		c := base
		c.Choices = []oaChoice{}
		c.Usage = &oaUsage{PromptTokens: u.InputTokens, CompletionTokens: u.OutputTokens, TotalTokens: u.InputTokens + u.OutputTokens}
		c.Usage.PromptTokensDetails.CachedTokens = u.CacheReadTokens
		c.Usage.CompletionTokensDetails.ReasoningTokens = u.ReasoningTokens
		frames = append(frames, event("", c.data()))
	}
	return append(frames, frame{b: []byte("data: [DONE]\n\n")})
}

func (openaiWire) models(ids []string) []byte {
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	out := struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}{Object: "list", Data: []model{}}
	for _, id := range ids {
		out.Data = append(out.Data, model{ID: id, Object: "model", Created: 1715367049, OwnedBy: "system"})
	}
	return mustJSON(out)
}

func (openaiWire) embed(body []byte, _ string) ([]byte, *Failure) {
	var req struct {
		Model      string          `json:"model"`
		Input      json.RawMessage `json:"input"`
		Dimensions int             `json:"dimensions"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, &Failure{Kind: provider.KindInvalidRequest, Message: "We could not parse the JSON body of your request."}
	}
	var inputs []string
	if err := json.Unmarshal(req.Input, &inputs); err != nil {
		var one string
		if err := json.Unmarshal(req.Input, &one); err != nil {
			return nil, &Failure{Kind: provider.KindInvalidRequest, Message: "'input' must be a string or an array of strings."}
		}
		inputs = []string{one}
	}
	type emb struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	out := struct {
		Object string `json:"object"`
		Data   []emb  `json:"data"`
		Model  string `json:"model"`
		Usage  struct {
			PromptTokens int64 `json:"prompt_tokens"`
			TotalTokens  int64 `json:"total_tokens"`
		} `json:"usage"`
	}{Object: "list", Model: req.Model}
	for i, in := range inputs {
		out.Data = append(out.Data, emb{Object: "embedding", Index: i, Embedding: vector(i, in, req.Dimensions)})
	}
	out.Usage.PromptTokens = words(inputs)
	out.Usage.TotalTokens = out.Usage.PromptTokens
	return mustJSON(out), nil
}

func (openaiWire) carried(u *aiv1.Usage) *aiv1.Usage {
	return &aiv1.Usage{InputTokens: u.InputTokens, OutputTokens: u.OutputTokens, CacheReadTokens: u.CacheReadTokens, ReasoningTokens: u.ReasoningTokens}
}
