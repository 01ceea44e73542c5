package gateway_test

import (
	"testing"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/gateway"
	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/provider/anthropic"
	"github.com/footingdev/footing/aigateway/provider/gemini"
	"github.com/footingdev/footing/aigateway/provider/openai"
	"github.com/footingdev/footing/aigateway/providertest"
	"github.com/footingdev/footing/aigateway/router"
)

// TestUsageAndCostExactPerProvider streams and completes one answer from each
// provider's fake and checks the usage and the cost (from the embedded price table)
// to the nano-dollar.
func TestUsageAndCostExactPerProvider(t *testing.T) {
	t.Parallel()
	usage := func() *aiv1.Usage { return &aiv1.Usage{InputTokens: 1000, CacheReadTokens: 200, OutputTokens: 50} }
	tests := []struct {
		name  string
		wire  providertest.Wire
		model string
		mk    func(f *providertest.Fake) (provider.Provider, error)
		want  int64
	}{
		{"anthropic", providertest.Anthropic, "claude-sonnet-4-5", func(f *providertest.Fake) (provider.Provider, error) {
			return anthropic.New(anthropic.Config{BaseURL: f.BaseURL(), APIKey: f.APIKey})
		}, 800*3000 + 200*300 + 50*15000},
		{"openai", providertest.OpenAI, "gpt-4o", func(f *providertest.Fake) (provider.Provider, error) {
			return openai.New(openai.Config{BaseURL: f.BaseURL(), APIKey: f.APIKey})
		}, 800*2500 + 200*1250 + 50*10000},
		{"gemini", providertest.Gemini, "gemini-2.5-flash", func(f *providertest.Fake) (provider.Provider, error) {
			return gemini.New(gemini.Config{BaseURL: f.BaseURL(), APIKey: f.APIKey})
		}, 800*300 + 200*75 + 50*2500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := providertest.New(t, tc.wire)
			fake.SetDefault(providertest.Reply{Steps: []providertest.Step{{Text: "Hel"}, {Text: "lo"}}, Usage: usage()})
			p, err := tc.mk(fake)
			if err != nil {
				t.Fatal(err)
			}
			r, err := router.New(router.Config{Routes: []router.Route{{Alias: "chat", Targets: []router.Target{{Provider: p, Model: tc.model}}}}})
			if err != nil {
				t.Fatal(err)
			}
			gw, err := gateway.New(gateway.Config{Router: r})
			if err != nil {
				t.Fatal(err)
			}
			check := func(how string, u *aiv1.Usage) {
				t.Helper()
				if u.GetInputTokens() != 1000 || u.GetCacheReadTokens() != 200 || u.GetOutputTokens() != 50 || u.GetCostNanosUsd() != tc.want {
					t.Errorf("%s: usage %v, want cost %d", how, u, tc.want)
				}
			}
			s, err := gw.Chat(as(t.Context(), "acme"), chatReq("hi"))
			if err != nil {
				t.Fatal(err)
			}
			text, last, err := drain(s)
			s.Close()
			if err != nil || text != "Hello" {
				t.Fatalf("streamed: %q, %v", text, err)
			}
			check("streamed", last.GetUsage())
			resp, err := gw.Complete(as(t.Context(), "acme"), chatReq("hi"))
			if err != nil {
				t.Fatal(err)
			}
			check("unstreamed", resp.GetUsage())
		})
	}
}
