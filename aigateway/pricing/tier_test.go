package pricing_test

import (
	"strings"
	"testing"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/pricing"
)

// A prompt of more than 200k tokens is billed at the model's long-context prices
// — every token of the request, as Google and Anthropic bill it and LiteLLM's
// *_above_200k_tokens fields say. They were ignored: such a prompt was charged
// and reserved at the short-context prices (half the input price of Gemini 2.5
// Pro and Sonnet 4.5's 1M-context window).
func TestCostAbove200kTokens(t *testing.T) {
	t.Parallel()
	tbl, err := pricing.Load(strings.NewReader(`{"m": {
		"input_cost_per_token": 1e-06, "output_cost_per_token": 1e-05,
		"cache_read_input_token_cost": 1e-07, "cache_creation_input_token_cost": 2e-06,
		"cache_creation_input_token_cost_above_1hr": 3e-06,
		"input_cost_per_token_above_200k_tokens": 4e-06, "output_cost_per_token_above_200k_tokens": 5e-05,
		"cache_read_input_token_cost_above_200k_tokens": 6e-07,
		"cache_creation_input_token_cost_above_200k_tokens": 7e-06,
		"cache_creation_input_token_cost_above_1hr_above_200k_tokens": 8e-06}}`))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := tbl.Lookup("", "m")
	tests := []struct {
		name     string
		usage    *aiv1.Usage
		writes1h int64
		want     int64
	}{
		{"exactly 200k: base prices", &aiv1.Usage{InputTokens: 200_000, OutputTokens: 10}, 0, 200_000*1000 + 10*10_000},
		{"200001: every token at the long-context prices", &aiv1.Usage{InputTokens: 200_001, OutputTokens: 10}, 0, 200_001*4000 + 10*50_000},
		// Cached tokens are prompt tokens: they count towards the threshold.
		{"cache reads count", &aiv1.Usage{InputTokens: 300_000, CacheReadTokens: 250_000, CacheWriteTokens: 30_000, OutputTokens: 1}, 10_000,
			20_000*4000 + 250_000*600 + 20_000*7000 + 10_000*8000 + 50_000},
	}
	for _, tt := range tests {
		if got := p.CostWith1hWrites(tt.usage, tt.writes1h); got != tt.want {
			t.Errorf("%s: cost %d, want %d", tt.name, got, tt.want)
		}
	}
	// The worst case of a prompt that may pass 200k tokens is reserved at the
	// long-context prices (the dearest input token: a 1-hour write's).
	if got, want := p.WorstCase(200_001, 100), int64(200_001*8000+100*50_000); got != want {
		t.Errorf("WorstCase above 200k = %d, want %d", got, want)
	}
	if got, want := p.WorstCase(200_000, 100), int64(200_000*3000+100*10_000); got != want {
		t.Errorf("WorstCase at 200k = %d, want %d", got, want)
	}
}

// A long-context price the entry lacks falls back to the base tier's price of the
// same kind, never to zero; and the embedded Gemini 2.5 Pro entry carries its
// long-context prices ($2.50 in, $15 out per million tokens).
func TestCostAbove200kFallbacksAndDefault(t *testing.T) {
	t.Parallel()
	tbl, err := pricing.Load(strings.NewReader(`{"m": {"input_cost_per_token": 1e-06, "output_cost_per_token": 1e-05,
		"cache_read_input_token_cost": 1e-07, "input_cost_per_token_above_200k_tokens": 2e-06}}`))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := tbl.Lookup("", "m")
	u := &aiv1.Usage{InputTokens: 300_000, CacheReadTokens: 100_000, CacheWriteTokens: 100_000, OutputTokens: 1}
	// writes fall back to the tier's input price; reads and output to the base ones.
	if got, want := p.Cost(u), int64(100_000*2000+100_000*100+100_000*2000+10_000); got != want {
		t.Errorf("cost %d, want %d", got, want)
	}
	gp, ok := pricing.Default().Lookup("gemini", "gemini-2.5-pro")
	if !ok {
		t.Fatal("no gemini-2.5-pro in the default table")
	}
	if got, want := gp.Cost(&aiv1.Usage{InputTokens: 300_000, OutputTokens: 1000}), int64(300_000*2500+1000*15_000); got != want {
		t.Errorf("gemini-2.5-pro above 200k: cost %d, want %d", got, want)
	}
}

// A tier without its own 1-hour write price never prices such a write below the
// tier's 5-minute one (Sonnet 4.5's base 1-hour price, $6, is below its
// long-context 5-minute price, $7.50).
func TestCostAbove200k1hFallback(t *testing.T) {
	t.Parallel()
	tbl, err := pricing.Load(strings.NewReader(`{"m": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
		"cache_creation_input_token_cost": 3.75e-06, "cache_creation_input_token_cost_above_1hr": 6e-06,
		"input_cost_per_token_above_200k_tokens": 6e-06, "cache_creation_input_token_cost_above_200k_tokens": 7.5e-06}}`))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := tbl.Lookup("", "m")
	u := &aiv1.Usage{InputTokens: 300_000, CacheWriteTokens: 100_000}
	if got, want := p.CostWith1hWrites(u, 100_000), int64(200_000*6000+100_000*7500); got != want {
		t.Errorf("cost %d, want %d", got, want)
	}
}
