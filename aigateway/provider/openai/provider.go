package openai

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/provider/internal/call"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// A Provider talks to one OpenAI-compatible API with one key. It is safe for
// concurrent use.
type Provider struct {
	cfg    Config
	client *http.Client
}

// New returns a Provider for cfg, or the problems of cfg.
func New(cfg Config) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	return &Provider{cfg: cfg, client: call.Client(cfg.HTTPClient)}, nil
}

// Name returns the configured name, "openai" by default.
func (p *Provider) Name() string { return p.cfg.Name }

func (p *Provider) header(req *http.Request) {
	for k, v := range p.cfg.Header {
		req.Header[k] = v
	}
	if p.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+p.cfg.APIKey)
	}
	if p.cfg.Organization != "" {
		req.Header.Set("OpenAI-Organization", p.cfg.Organization)
	}
	if p.cfg.Project != "" {
		req.Header.Set("OpenAI-Project", p.cfg.Project)
	}
}

func (p *Provider) do(ctx context.Context, req *http.Request) (*http.Response, error) {
	p.header(req)
	return call.Do(ctx, p.client, p.cfg.Name, p.cfg.APIKey, req, classify)
}

// Chat starts a streamed chat completion.
func (p *Provider) Chat(ctx context.Context, req *aiv1.ChatRequest) (provider.Stream, error) {
	hreq, err := call.NewJSONRequest(p.cfg.Name, p.cfg.BaseURL+"/chat/completions", p.buildRequest(req))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Accept", "text/event-stream")
	resp, err := p.do(ctx, hreq) //nolint:bodyclose // the stream closes it
	if err != nil {
		return nil, err
	}
	return &stream{body: call.NewBody(ctx, p.cfg.Name, p.cfg.APIKey, resp), name: p.cfg.Name, model: req.GetModel()}, nil
}

// ListModels lists the models of GET /models.
func (p *Provider) ListModels(ctx context.Context) ([]*aiv1.Model, error) {
	hreq, err := http.NewRequest(http.MethodGet, p.cfg.BaseURL+"/models", nil)
	if err != nil {
		return nil, &provider.Error{Provider: p.cfg.Name, Kind: provider.KindInvalidRequest, Message: "bad provider URL", Err: err}
	}
	resp, err := p.do(ctx, hreq) //nolint:bodyclose // GetJSON closes it
	if err != nil {
		return nil, err
	}
	var list struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := call.GetJSON(resp, p.cfg.Name, &list); err != nil {
		return nil, err
	}
	out := make([]*aiv1.Model, 0, len(list.Data))
	for _, m := range list.Data {
		out = append(out, &aiv1.Model{Id: m.ID, Provider: p.cfg.Name, DisplayName: m.ID})
	}
	return out, nil
}

// Embed calls POST /embeddings.
func (p *Provider) Embed(ctx context.Context, req *aiv1.EmbedRequest) (*aiv1.EmbedResponse, error) {
	body := map[string]any{"model": req.GetModel(), "input": req.GetInputs(), "encoding_format": "float"}
	if req.Dimensions != nil {
		body["dimensions"] = req.GetDimensions()
	}
	hreq, err := call.NewJSONRequest(p.cfg.Name, p.cfg.BaseURL+"/embeddings", body)
	if err != nil {
		return nil, err
	}
	resp, err := p.do(ctx, hreq) //nolint:bodyclose // GetJSON closes it
	if err != nil {
		return nil, err
	}
	var res struct {
		Model string `json:"model"`
		Data  []struct {
			Index     int32     `json:"index"`
			Embedding []float32 `json:"embedding"`
		} `json:"data"`
		Usage struct {
			PromptTokens int64 `json:"prompt_tokens"`
		} `json:"usage"`
	}
	if err := call.GetJSON(resp, p.cfg.Name, &res); err != nil {
		return nil, err
	}
	sort.Slice(res.Data, func(i, j int) bool { return res.Data[i].Index < res.Data[j].Index })
	out := &aiv1.EmbedResponse{Model: res.Model, Provider: p.cfg.Name, Usage: &aiv1.Usage{InputTokens: res.Usage.PromptTokens}}
	if out.Model == "" {
		out.Model = req.GetModel()
	}
	for _, d := range res.Data {
		out.Embeddings = append(out.Embeddings, &aiv1.Embedding{Index: d.Index, Values: d.Embedding})
	}
	return out, nil
}

// errorBody is OpenAI's error object. Compatible servers sometimes send a bare
// string instead; message then holds it.
type errorBody struct {
	Message string          `json:"message"`
	Type    string          `json:"type"`
	Code    json.RawMessage `json:"code"`
}

func (e *errorBody) code() string {
	var s string
	if json.Unmarshal(e.Code, &s) == nil {
		return s
	}
	return ""
}

// typeOf is the most specific name of the error: its code, else its type.
func (e *errorBody) typeOf() string {
	if c := e.code(); c != "" {
		return c
	}
	return e.Type
}

func quotaExhausted(e *errorBody) bool {
	switch e.typeOf() {
	case "insufficient_quota", "billing_hard_limit_reached", "billing_not_active", "quota_exceeded":
		return true
	}
	return e.Type == "insufficient_quota" || strings.Contains(e.Message, "exceeded your current quota")
}

func parseError(body []byte) *errorBody {
	var env struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &env) != nil || len(env.Error) == 0 {
		return &errorBody{}
	}
	var e errorBody
	if json.Unmarshal(env.Error, &e) != nil {
		_ = json.Unmarshal(env.Error, &e.Message)
	}
	return &e
}

func classify(status int, _ http.Header, body []byte) *provider.Error {
	e := parseError(body)
	kind := provider.KindForStatus(status)
	if status == http.StatusTooManyRequests && quotaExhausted(e) {
		kind = provider.KindQuotaExhausted
	}
	return &provider.Error{Kind: kind, Type: e.typeOf(), Message: e.Message}
}

// streamError maps an error object sent inside a stream, which has no status.
func streamError(name string, e *errorBody) *provider.Error {
	kind := provider.KindServer
	switch t := e.typeOf(); {
	case quotaExhausted(e):
		kind = provider.KindQuotaExhausted
	case t == "rate_limit_exceeded" || t == "requests" || t == "tokens":
		kind = provider.KindRateLimited
	case t == "invalid_request_error" || t == "context_length_exceeded":
		kind = provider.KindInvalidRequest
	case strings.Contains(e.Message, "overloaded"):
		kind = provider.KindOverloaded
	}
	return &provider.Error{Provider: name, Kind: kind, Type: e.typeOf(), Message: e.Message}
}

var _ provider.Provider = (*Provider)(nil)
