package gemini

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/provider/internal/call"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// A Provider talks to the Gemini API with one key. It is safe for concurrent use.
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

// Name returns the configured name, "gemini" by default.
func (p *Provider) Name() string { return p.cfg.Name }

func (p *Provider) do(ctx context.Context, req *http.Request) (*http.Response, error) {
	for k, v := range p.cfg.Header {
		req.Header[k] = v
	}
	req.Header.Set("X-Goog-Api-Key", p.cfg.APIKey)
	return call.Do(ctx, p.client, p.cfg.Name, p.cfg.APIKey, req, classify)
}

func (p *Provider) modelURL(model, action string) string {
	return p.cfg.BaseURL + "/models/" + url.PathEscape(strings.TrimPrefix(model, "models/")) + ":" + action
}

// Chat starts a streamed generateContent.
func (p *Provider) Chat(ctx context.Context, req *aiv1.ChatRequest) (provider.Stream, error) {
	hreq, err := call.NewJSONRequest(p.cfg.Name, p.modelURL(req.GetModel(), "streamGenerateContent")+"?alt=sse", buildRequest(req))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Accept", "text/event-stream")
	resp, err := p.do(ctx, hreq) //nolint:bodyclose // the stream closes it
	if err != nil {
		return nil, err
	}
	return &stream{body: call.NewBody(ctx, p.cfg.Name, p.cfg.APIKey, resp), name: p.cfg.Name, model: strings.TrimPrefix(req.GetModel(), "models/")}, nil
}

// ListModels lists the models of GET /models, following its pages.
func (p *Provider) ListModels(ctx context.Context) ([]*aiv1.Model, error) {
	var out []*aiv1.Model
	token := ""
	for range 100 {
		q := url.Values{"pageSize": {"1000"}}
		if token != "" {
			q.Set("pageToken", token)
		}
		hreq, err := http.NewRequest(http.MethodGet, p.cfg.BaseURL+"/models?"+q.Encode(), nil)
		if err != nil {
			return nil, &provider.Error{Provider: p.cfg.Name, Kind: provider.KindInvalidRequest, Message: "bad provider URL", Err: err}
		}
		resp, err := p.do(ctx, hreq) //nolint:bodyclose // GetJSON closes it
		if err != nil {
			return nil, err
		}
		var page struct {
			Models []struct {
				Name             string   `json:"name"`
				DisplayName      string   `json:"displayName"`
				InputTokenLimit  int64    `json:"inputTokenLimit"`
				OutputTokenLimit int64    `json:"outputTokenLimit"`
				Methods          []string `json:"supportedGenerationMethods"`
			} `json:"models"`
			NextPageToken string `json:"nextPageToken"`
		}
		if err := call.GetJSON(resp, p.cfg.Name, &page); err != nil {
			return nil, err
		}
		for _, m := range page.Models {
			model := &aiv1.Model{Id: strings.TrimPrefix(m.Name, "models/"), Provider: p.cfg.Name, DisplayName: m.DisplayName,
				ContextWindow: m.InputTokenLimit, MaxOutputTokens: m.OutputTokenLimit}
			for _, meth := range m.Methods {
				switch meth {
				case "generateContent":
					model.Capabilities = append(model.Capabilities, aiv1.Capability_CAPABILITY_CHAT, aiv1.Capability_CAPABILITY_STREAMING)
				case "embedContent":
					model.Capabilities = append(model.Capabilities, aiv1.Capability_CAPABILITY_EMBEDDINGS)
				}
			}
			out = append(out, model)
		}
		if page.NextPageToken == "" {
			break
		}
		token = page.NextPageToken
	}
	return out, nil
}

// Embed calls batchEmbedContents.
func (p *Provider) Embed(ctx context.Context, req *aiv1.EmbedRequest) (*aiv1.EmbedResponse, error) {
	type embedRequest struct {
		Model                string  `json:"model"`
		Content              content `json:"content"`
		OutputDimensionality *int32  `json:"outputDimensionality,omitempty"`
	}
	model := strings.TrimPrefix(req.GetModel(), "models/")
	var body struct {
		Requests []embedRequest `json:"requests"`
	}
	for _, in := range req.GetInputs() {
		body.Requests = append(body.Requests, embedRequest{Model: "models/" + model, Content: content{Parts: []part{{Text: in}}}, OutputDimensionality: req.Dimensions})
	}
	hreq, err := call.NewJSONRequest(p.cfg.Name, p.modelURL(model, "batchEmbedContents"), body)
	if err != nil {
		return nil, err
	}
	resp, err := p.do(ctx, hreq) //nolint:bodyclose // GetJSON closes it
	if err != nil {
		return nil, err
	}
	var res struct {
		Embeddings []struct {
			Values []float32 `json:"values"`
		} `json:"embeddings"`
	}
	if err := call.GetJSON(resp, p.cfg.Name, &res); err != nil {
		return nil, err
	}
	out := &aiv1.EmbedResponse{Model: model, Provider: p.cfg.Name, Usage: &aiv1.Usage{}}
	for i, e := range res.Embeddings {
		out.Embeddings = append(out.Embeddings, &aiv1.Embedding{Index: int32(i), Values: e.Values})
	}
	return out, nil
}

// status is a google.rpc.Status as the API sends it.
type status struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status"`
	Details []struct {
		Type       string `json:"@type"`
		Reason     string `json:"reason"`
		RetryDelay string `json:"retryDelay"`
		Violations []struct {
			QuotaID string `json:"quotaId"`
		} `json:"violations"`
	} `json:"details"`
}

// statusKinds maps the status of an error sent inside a stream. An answer's
// HTTP status is read first (provider.KindForStatus), but FAILED_PRECONDITION,
// which comes with 400, is the gateway's account that cannot use the API from
// where it calls ("User location is not supported for the API use.") or without
// billing: KindAuth, as a bad key is, not the caller's request.
var statusKinds = map[string]provider.Kind{
	"INVALID_ARGUMENT":    provider.KindInvalidRequest,
	"FAILED_PRECONDITION": provider.KindAuth,
	"UNAUTHENTICATED":     provider.KindAuth,
	"PERMISSION_DENIED":   provider.KindAuth,
	"NOT_FOUND":           provider.KindNotFound,
	"RESOURCE_EXHAUSTED":  provider.KindRateLimited,
	"UNAVAILABLE":         provider.KindOverloaded,
	"INTERNAL":            provider.KindServer,
	"DEADLINE_EXCEEDED":   provider.KindServer,
}

// provider maps the status; httpStatus is 0 for an error inside a stream.
func (s *status) provider(name string, httpStatus int) *provider.Error {
	var kind provider.Kind
	if httpStatus != 0 {
		kind = provider.KindForStatus(httpStatus)
	} else if k, ok := statusKinds[s.Status]; ok {
		kind = k
	} else {
		kind = provider.KindServer
	}
	if s.Status == "FAILED_PRECONDITION" {
		kind = provider.KindAuth
	}
	e := &provider.Error{Provider: name, Kind: kind, StatusCode: httpStatus, Type: s.Status, Message: s.Message}
	for _, d := range s.Details {
		switch {
		case strings.HasSuffix(d.Type, "google.rpc.ErrorInfo") && d.Reason != "":
			e.Type = d.Reason
			if strings.HasPrefix(d.Reason, "API_KEY_") {
				e.Kind = provider.KindAuth // Gemini answers a bad key with 400 INVALID_ARGUMENT
			}
		case strings.HasSuffix(d.Type, "google.rpc.RetryInfo"):
			if dur, err := time.ParseDuration(d.RetryDelay); err == nil && dur > 0 {
				e.RetryAfter = min(dur, provider.MaxRetryAfter)
			}
		case strings.HasSuffix(d.Type, "google.rpc.QuotaFailure"):
			for _, v := range d.Violations {
				// Daily quotas do not come back within a retry; per-minute ones do.
				if strings.Contains(v.QuotaID, "PerDay") {
					e.Kind = provider.KindQuotaExhausted
				}
			}
		}
	}
	if strings.Contains(strings.ToLower(s.Message), "credits are depleted") {
		e.Kind = provider.KindQuotaExhausted
	}
	return e
}

func classify(httpStatus int, _ http.Header, body []byte) *provider.Error {
	var env struct {
		Error status `json:"error"`
	}
	_ = json.Unmarshal(body, &env)
	return env.Error.provider("", httpStatus)
}

var _ provider.Provider = (*Provider)(nil)
