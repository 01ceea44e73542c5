package gateway_test

import (
	"testing"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/providertest"
)

// TestCacheHitCostsNothingInTelemetry: a cached answer costs nothing and uses no
// tokens upstream — its budget and token quota settle at zero — so neither the
// tenant's cost counter (footing.ai.cost) nor the token usage metric
// (gen_ai.client.token.usage) may count it again. The replay carries the original
// answer's token counts for the caller, and every hit recorded them in the token
// metric as provider "cache": two hits tripled the tokens recorded.
func TestCacheHitCostsNothingInTelemetry(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{cache: true})
	b.primary.SetDefault(providertest.Reply{Steps: []providertest.Step{{Text: "cached"}, {Text: " answer"}}, Usage: &aiv1.Usage{InputTokens: 10, OutputTokens: 5}})
	ctx := as(t.Context(), "acme")
	for i, wantCached := range []bool{false, true, true} {
		s, err := b.gw.Chat(ctx, chatReq("same question"))
		if err != nil {
			t.Fatal(err)
		}
		text, _, err := drain(s)
		s.Close()
		if err != nil || text != "cached answer" || s.Cached() != wantCached {
			t.Fatalf("request %d: %q, %v, cached %v", i, text, err, s.Cached())
		}
		// The caller still sees the usage of the answer it was given.
		if u := s.Usage(); u.GetInputTokens() != 10 || u.GetOutputTokens() != 5 {
			t.Errorf("request %d: usage %v", i, u)
		}
	}
	if got, want := b.sum(t, "footing.ai.cost"), float64(miniCost(10, 5))/1e9; got < want-1e-12 || got > want+1e-12 {
		t.Errorf("footing.ai.cost = %v, want %v (the one upstream call)", got, want)
	}
	if got := b.sum(t, "gen_ai.client.token.usage"); got != 15 {
		t.Errorf("gen_ai.client.token.usage sums to %v tokens, want 15 (the one upstream call)", got)
	}
	if got := b.points(t, "footing.ai.requests"); len(got) != 2 {
		t.Errorf("footing.ai.requests points %v, want the upstream call's and the hits'", got)
	}
}
