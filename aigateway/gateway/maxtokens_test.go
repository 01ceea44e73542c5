package gateway_test

import (
	"encoding/json"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"

	"github.com/footingdev/footing/aigateway/gateway"
	"github.com/footingdev/footing/aigateway/pricing"
	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/provider/gemini"
	"github.com/footingdev/footing/aigateway/provider/openai"
	"github.com/footingdev/footing/aigateway/providertest"
	"github.com/footingdev/footing/aigateway/quota"
	"github.com/footingdev/footing/aigateway/router"
)

// TestDefaultMaxTokensIsSentAndReserved: a request without max_tokens for a model
// whose maximum output the price table does not know was reserved at the
// gateway's DefaultMaxTokens (4096) but sent upstream without a limit, so OpenAI
// and Gemini could answer past the reservation and the settled usage overran
// budgets and token quotas. The router now sends its DefaultMaxTokens to such a
// target — on the wire, in the field the provider writes (max_tokens for an
// OpenAI-compatible server, generationConfig.maxOutputTokens for Gemini) — and
// the gateway reserves exactly that; a model whose maximum is known is sent no
// limit and reserved at its maximum. On the old code the bodies carried no limit
// (and the reservation was in+4096 whatever the router's value).
func TestDefaultMaxTokensIsSentAndReserved(t *testing.T) {
	t.Parallel()
	const def = 1000 // the router's DefaultMaxTokens
	prices, err := pricing.Load(strings.NewReader(`{
		"house-model": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6},
		"gpt-4o-mini": {"input_cost_per_token": 1.5e-7, "output_cost_per_token": 6e-7, "max_output_tokens": 16384}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	openaiP := func(f *providertest.Fake) (provider.Provider, error) {
		return openai.New(openai.Config{BaseURL: f.BaseURL(), APIKey: f.APIKey})
	}
	for _, tc := range []struct {
		name  string
		wire  providertest.Wire
		mk    func(f *providertest.Fake) (provider.Provider, error)
		model string
		// path is where the limit is in the body; absent names fields that must
		// not be there.
		path    []string
		absent  []string
		want    int64 // the limit sent; 0: none
		wantOut int64 // the output reserved
	}{
		{"openai, priced without a maximum", providertest.OpenAI, openaiP, "house-model",
			[]string{"max_tokens"}, []string{"max_completion_tokens"}, def, def},
		{"openai, not in the price table", providertest.OpenAI, openaiP, "llama-3.1-8b-instruct",
			[]string{"max_tokens"}, []string{"max_completion_tokens"}, def, def},
		{"openai, maximum known", providertest.OpenAI, openaiP, "gpt-4o-mini",
			[]string{"max_tokens"}, []string{"max_completion_tokens"}, 0, 16384},
		{"gemini, priced without a maximum", providertest.Gemini, func(f *providertest.Fake) (provider.Provider, error) {
			return gemini.New(gemini.Config{BaseURL: f.BaseURL(), APIKey: f.APIKey})
		}, "house-model", []string{"generationConfig", "maxOutputTokens"}, nil, def, def},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := providertest.New(t, tc.wire)
			p, err := tc.mk(fake)
			if err != nil {
				t.Fatal(err)
			}
			r, err := router.New(router.Config{
				Routes:           []router.Route{{Alias: "chat", Targets: []router.Target{{Provider: p, Model: tc.model}}}},
				Prices:           prices,
				DefaultMaxTokens: def,
			})
			if err != nil {
				t.Fatal(err)
			}
			store := newSettleStore()
			limits, err := quota.New(store, quota.Config{Tenant: quota.Limits{TokensPerMinute: 1 << 40, Budget: 1e15}})
			if err != nil {
				t.Fatal(err)
			}
			gw, err := gateway.New(gateway.Config{Router: r, Limiter: limits})
			if err != nil {
				t.Fatal(err)
			}
			req := chatReq("hi")
			req.MaxTokens = nil
			in := gateway.EstimateInput(req)
			s, err := gw.Chat(as(t.Context(), "acme"), req)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := drain(s); err != nil {
				t.Fatal(err)
			}
			_ = s.Close()
			if req.MaxTokens != nil {
				t.Errorf("the caller's request was given max_tokens %d", req.GetMaxTokens())
			}

			reqs := fake.Requests()
			if len(reqs) != 1 {
				t.Fatalf("the fake got %d requests, want 1", len(reqs))
			}
			var body map[string]any
			if err := json.Unmarshal(reqs[0].Body, &body); err != nil {
				t.Fatal(err)
			}
			got, found := lookup(body, tc.path)
			switch {
			case tc.want == 0 && found:
				t.Errorf("%s = %v was sent, want none: %s", strings.Join(tc.path, "."), got, reqs[0].Body)
			case tc.want != 0 && got != float64(tc.want):
				t.Errorf("%s = %v, want %d: %s", strings.Join(tc.path, "."), got, tc.want, reqs[0].Body)
			}
			for _, f := range tc.absent {
				if v, ok := body[f]; ok {
					t.Errorf("%s = %v was sent too", f, v)
				}
			}

			store.mu.Lock()
			tokens, spend := store.reserved["tpm"], store.reserved["spend"]
			store.mu.Unlock()
			if want := in + tc.wantOut; tokens != want {
				t.Errorf("reserved %d tokens, want %d (%d in + %d out)", tokens, want, in, tc.wantOut)
			}
			var wantSpend int64
			if price, ok := prices.Lookup(p.Name(), tc.model); ok {
				wantSpend = price.WorstCase(in, tc.wantOut)
			}
			if spend != wantSpend {
				t.Errorf("reserved %d nano-USD, want %d", spend, wantSpend)
			}
		})
	}
}

// lookup follows path through nested JSON objects.
func lookup(body map[string]any, path []string) (any, bool) {
	var v any = body
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// TestGatewayDefaultMaxTokensMustBeTheRouters: gateway.Config.DefaultMaxTokens
// was the output reserved for a request without max_tokens to a model of unknown
// maximum, while nothing sent it upstream. The router now sends its own, and the
// gateway reserves that; a gateway value that differs from it would reserve
// something else than what is sent, so New refuses it, naming both values and
// router.Config.DefaultMaxTokens. The same value, or none, is accepted.
func TestGatewayDefaultMaxTokensMustBeTheRouters(t *testing.T) {
	t.Parallel()
	p, err := openai.New(openai.Config{BaseURL: "http://127.0.0.1:1/v1", APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	newRouter := func(def int64) *router.Router {
		r, err := router.New(router.Config{
			Routes:           []router.Route{{Alias: "chat", Targets: []router.Target{{Provider: p, Model: "m"}}}},
			DefaultMaxTokens: def,
		})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	_, err = gateway.New(gateway.Config{Router: newRouter(1000), DefaultMaxTokens: 4096})
	d := errs.From(err)
	if d.Code != connect.CodeInvalidArgument || len(d.FieldViolations) != 1 || d.FieldViolations[0].GetField() != "default_max_tokens" {
		t.Fatalf("got %v with violations %v, want default_max_tokens refused", err, d.FieldViolations)
	}
	for _, s := range []string{"4096", "1000", "router.Config.DefaultMaxTokens"} {
		if !strings.Contains(err.Error(), s) || !strings.Contains(d.FieldViolations[0].GetDescription(), s) {
			t.Errorf("the error %q (violation %q) does not say %q", err, d.FieldViolations[0].GetDescription(), s)
		}
	}
	for _, tc := range []struct{ router, gateway int64 }{{1000, 1000}, {1000, 0}, {0, 4096}, {0, 0}} {
		if _, err := gateway.New(gateway.Config{Router: newRouter(tc.router), DefaultMaxTokens: tc.gateway}); err != nil {
			t.Errorf("router %d, gateway %d: %v", tc.router, tc.gateway, err)
		}
	}
	_, err = gateway.New(gateway.Config{Router: newRouter(0), DefaultMaxTokens: -1})
	if d := errs.From(err); d.Code != connect.CodeInvalidArgument || len(d.FieldViolations) != 1 {
		t.Errorf("a negative value: got %v, want it refused", err)
	}
}
