package anthropic

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/provider/internal/call"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// A Provider talks to the Messages API with one key. It is safe for concurrent use.
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

// Name returns the configured name, "anthropic" by default.
func (p *Provider) Name() string { return p.cfg.Name }

func (p *Provider) do(ctx context.Context, req *http.Request) (*http.Response, error) {
	for k, v := range p.cfg.Header {
		req.Header[k] = v
	}
	req.Header.Set("X-Api-Key", p.cfg.APIKey)
	req.Header.Set("Anthropic-Version", p.cfg.Version)
	if len(p.cfg.Beta) > 0 {
		req.Header.Set("Anthropic-Beta", strings.Join(p.cfg.Beta, ","))
	}
	return call.Do(ctx, p.client, p.cfg.Name, p.cfg.APIKey, req, classify)
}

// Chat starts a streamed message.
func (p *Provider) Chat(ctx context.Context, req *aiv1.ChatRequest) (provider.Stream, error) {
	hreq, err := call.NewJSONRequest(p.cfg.Name, p.cfg.BaseURL+"/v1/messages", p.buildRequest(req))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Accept", "text/event-stream")
	resp, err := p.do(ctx, hreq) //nolint:bodyclose // the stream closes it
	if err != nil {
		return nil, err
	}
	return &stream{body: call.NewBody(ctx, p.cfg.Name, p.cfg.APIKey, resp), name: p.cfg.Name, model: req.GetModel(), tools: map[int]int32{}}, nil
}

// ListModels lists the models of GET /v1/models, following its pages.
func (p *Provider) ListModels(ctx context.Context) ([]*aiv1.Model, error) {
	var out []*aiv1.Model
	after := ""
	for range 100 {
		q := url.Values{"limit": {"1000"}}
		if after != "" {
			q.Set("after_id", after)
		}
		hreq, err := http.NewRequest(http.MethodGet, p.cfg.BaseURL+"/v1/models?"+q.Encode(), nil)
		if err != nil {
			return nil, &provider.Error{Provider: p.cfg.Name, Kind: provider.KindInvalidRequest, Message: "bad provider URL", Err: err}
		}
		resp, err := p.do(ctx, hreq) //nolint:bodyclose // GetJSON closes it
		if err != nil {
			return nil, err
		}
		var page struct {
			Data []struct {
				ID          string `json:"id"`
				DisplayName string `json:"display_name"`
			} `json:"data"`
			HasMore bool   `json:"has_more"`
			LastID  string `json:"last_id"`
		}
		if err := call.GetJSON(resp, p.cfg.Name, &page); err != nil {
			return nil, err
		}
		for _, m := range page.Data {
			out = append(out, &aiv1.Model{Id: m.ID, Provider: p.cfg.Name, DisplayName: m.DisplayName,
				Capabilities: []aiv1.Capability{aiv1.Capability_CAPABILITY_CHAT, aiv1.Capability_CAPABILITY_STREAMING,
					aiv1.Capability_CAPABILITY_TOOLS, aiv1.Capability_CAPABILITY_VISION, aiv1.Capability_CAPABILITY_PROMPT_CACHING}})
		}
		if !page.HasMore || page.LastID == "" {
			break
		}
		after = page.LastID
	}
	return out, nil
}

// Embed is not offered by Anthropic: it returns an *Error of KindInvalidRequest.
func (p *Provider) Embed(context.Context, *aiv1.EmbedRequest) (*aiv1.EmbedResponse, error) {
	return nil, &provider.Error{Provider: p.cfg.Name, Kind: provider.KindInvalidRequest, Type: "unsupported",
		Message: "Anthropic offers no embeddings"}
}

// errorBody is the error object of an error response or error event.
type errorBody struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Details struct {
		ErrorCode string `json:"error_code"`
	} `json:"details"`
}

var kinds = map[string]provider.Kind{
	"invalid_request_error": provider.KindInvalidRequest,
	"request_too_large":     provider.KindInvalidRequest,
	"authentication_error":  provider.KindAuth,
	"permission_error":      provider.KindAuth,
	"not_found_error":       provider.KindNotFound,
	"rate_limit_error":      provider.KindRateLimited,
	"billing_error":         provider.KindQuotaExhausted,
	"overloaded_error":      provider.KindOverloaded,
	"api_error":             provider.KindServer,
	"timeout_error":         provider.KindServer,
}

// provider maps the error; status is 0 for an error event inside a stream.
func (e *errorBody) provider(name string, status int) *provider.Error {
	kind, ok := kinds[e.Type]
	if status != 0 {
		kind = provider.KindForStatus(status)
	} else if !ok {
		kind = provider.KindServer
	}
	msg := strings.ToLower(e.Message)
	switch {
	case e.Details.ErrorCode == "enforced_spend_limit_reached", e.Type == "billing_error",
		strings.Contains(msg, "credit balance is too low"), strings.Contains(msg, "specified api usage limits"):
		kind = provider.KindQuotaExhausted
	case e.Type == "overloaded_error":
		kind = provider.KindOverloaded
	}
	typ := e.Type
	if e.Details.ErrorCode != "" {
		typ = e.Details.ErrorCode
	}
	return &provider.Error{Provider: name, Kind: kind, StatusCode: status, Type: typ, Message: e.Message}
}

func classify(status int, _ http.Header, body []byte) *provider.Error {
	var env struct {
		Error errorBody `json:"error"`
	}
	_ = json.Unmarshal(body, &env)
	return env.Error.provider("", status)
}

var _ provider.Provider = (*Provider)(nil)
