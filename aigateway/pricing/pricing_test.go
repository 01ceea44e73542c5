package pricing_test

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/pricing"
)

func TestCost(t *testing.T) {
	t.Parallel()
	tbl := pricing.Default()
	tests := []struct {
		name, provider, model string
		usage                 *aiv1.Usage
		writes1h              int64
		want                  int64
	}{
		{"plain", "anthropic", "claude-sonnet-4-5", &aiv1.Usage{InputTokens: 1000, OutputTokens: 500}, 0, 3_000_000 + 7_500_000},
		{"cache read and write at their prices", "anthropic", "claude-sonnet-4-5",
			&aiv1.Usage{InputTokens: 1000, CacheReadTokens: 600, CacheWriteTokens: 100, OutputTokens: 10}, 0,
			300*3000 + 600*300 + 100*3750 + 10*15000},
		// 1-hour writes at cache_creation_input_token_cost_above_1hr ($6/MTok for
		// Sonnet 4.5, twice the input price), the other writes at the 5-minute price.
		{"1-hour writes at their price", "anthropic", "claude-sonnet-4-5",
			&aiv1.Usage{InputTokens: 1000, CacheReadTokens: 600, CacheWriteTokens: 300, OutputTokens: 10}, 200,
			100*3000 + 600*300 + 100*3750 + 200*6000 + 10*15000},
		{"only 1-hour writes", "anthropic", "claude-haiku-4-5",
			&aiv1.Usage{InputTokens: 5000, CacheWriteTokens: 4000, OutputTokens: 7}, 4000, 1000*1000 + 4000*2000 + 7*5000},
		{"more 1-hour writes than writes: all writes", "anthropic", "claude-haiku-4-5",
			&aiv1.Usage{InputTokens: 5000, CacheWriteTokens: 4000}, 9000, 1000*1000 + 4000*2000},
		{"negative 1-hour writes: none", "anthropic", "claude-haiku-4-5",
			&aiv1.Usage{InputTokens: 5000, CacheWriteTokens: 4000}, -1, 1000*1000 + 4000*1250},
		{"cache write without its own price charged as input", "openai", "gpt-4o",
			&aiv1.Usage{InputTokens: 100, CacheWriteTokens: 100}, 0, 100 * 2500},
		{"1-hour write without any write price charged as input", "openai", "gpt-4o",
			&aiv1.Usage{InputTokens: 100, CacheWriteTokens: 100}, 60, 100 * 2500},
		{"provider-prefixed key", "gemini", "gemini-2.5-flash", &aiv1.Usage{InputTokens: 10, OutputTokens: 10}, 0, 10*300 + 10*2500},
		{"nil usage", "openai", "gpt-4o", nil, 5, 0},
		{"fractional nanos rounded", "openai", "gpt-4o-mini", &aiv1.Usage{InputTokens: 1}, 0, 150},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, ok := tbl.Lookup(tc.provider, tc.model)
			if !ok {
				t.Fatalf("no price for %s/%s", tc.provider, tc.model)
			}
			if got := p.CostWith1hWrites(tc.usage, tc.writes1h); got != tc.want {
				t.Errorf("CostWith1hWrites = %d, want %d", got, tc.want)
			}
			if tc.writes1h == 0 {
				if got := p.Cost(tc.usage); got != tc.want {
					t.Errorf("Cost = %d, want %d", got, tc.want)
				}
			}
		})
	}
}

// TestCost1hFallback: an entry without cache_creation_input_token_cost_above_1hr
// prices 1-hour writes at its 5-minute write price, as LiteLLM does for a tier
// that lacks it (tier_rate(tier, "cache_creation_input_token_cost_above_1hr",
// "cache_creation_input_token_cost")); never at zero.
func TestCost1hFallback(t *testing.T) {
	t.Parallel()
	tbl, err := pricing.Load(strings.NewReader(`{
	  "five-minute-only": {"input_cost_per_token": 1e-06, "cache_creation_input_token_cost": 1.25e-06},
	  "both": {"input_cost_per_token": 1e-06, "cache_creation_input_token_cost": 1.25e-06, "cache_creation_input_token_cost_above_1hr": 2e-06}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	u := &aiv1.Usage{InputTokens: 100, CacheWriteTokens: 100}
	for model, want := range map[string]int64{"five-minute-only": 40*1250 + 60*1250, "both": 40*1250 + 60*2000} {
		p, _ := tbl.Lookup("anthropic", model)
		if got := p.CostWith1hWrites(u, 60); got != want {
			t.Errorf("%s: cost %d, want %d", model, got, want)
		}
	}
}

// TestDefaultHas1hPrices: the embedded Claude entries carry LiteLLM's
// cache_creation_input_token_cost_above_1hr, twice their input price.
func TestDefaultHas1hPrices(t *testing.T) {
	t.Parallel()
	for model, want := range map[string]float64{"claude-sonnet-4-5": 6e-06, "claude-haiku-4-5": 2e-06} {
		p, ok := pricing.Default().Lookup("anthropic", model)
		if !ok || p.CacheCreationInputTokenCostAbove1Hr != want || p.CacheCreationInputTokenCostAbove1Hr != 2*p.InputCostPerToken {
			t.Errorf("%s: %+v, want a 1-hour write price of %g", model, p, want)
		}
	}
}

// TestWorstCase: the input is reserved at the dearest price an input token can
// have — for Claude, a 1-hour cache write's (twice the input price) — so that what
// a call is charged never exceeds what it reserved. Before, it was the input
// price, and a prompt written to a 1-hour cache cost up to twice its reservation.
func TestWorstCase(t *testing.T) {
	t.Parallel()
	tests := []struct {
		provider, model string
		want            int64
	}{
		{"anthropic", "claude-haiku-4-5", 1000*2000 + 2000*5000},
		{"anthropic", "claude-sonnet-4-5", 1000*6000 + 2000*15000},
		{"openai", "gpt-4o", 1000*2500 + 2000*10000},
	}
	for _, tc := range tests {
		p, _ := pricing.Default().Lookup(tc.provider, tc.model)
		if got := p.WorstCase(1000, 2000); got != tc.want {
			t.Errorf("%s: WorstCase = %d, want %d", tc.model, got, tc.want)
		}
		// The dearest usage of 1000 input and 2000 output tokens costs no more.
		u := &aiv1.Usage{InputTokens: 1000, CacheWriteTokens: 1000, OutputTokens: 2000}
		if c := p.CostWith1hWrites(u, 1000); c > p.WorstCase(1000, 2000) {
			t.Errorf("%s: cost %d above the worst case %d", tc.model, c, p.WorstCase(1000, 2000))
		}
	}
}

func TestLoadIgnoresUnknownFieldsAndSampleSpec(t *testing.T) {
	t.Parallel()
	in := `{
	  "sample_spec": {"input_cost_per_token": "a string in LiteLLM's own file"},
	  "m": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6, "some_future_field": {"x": [1]},
	        "cache_creation_input_token_cost_above_1hr": 2e-6, "cache_creation_input_token_cost_above_1hr_above_200k_tokens": 4e-6,
	        "litellm_provider": "openai", "mode": "chat", "supports_vision": true, "max_output_tokens": 7}
	}`
	tbl, err := pricing.Load(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	p, ok := tbl.Lookup("openai", "m")
	if !ok || p.OutputCostPerToken != 2e-6 || p.CacheCreationInputTokenCostAbove1Hr != 2e-6 || !p.SupportsVision || p.MaxOutputTokens != 7 || p.Mode != "chat" {
		t.Fatalf("got %+v, %v", p, ok)
	}
	if tbl.Len() != 1 {
		t.Errorf("Len = %d, want 1 (sample_spec skipped)", tbl.Len())
	}
}

func TestLoadReportsEveryBadEntry(t *testing.T) {
	t.Parallel()
	in := `{"a": {"input_cost_per_token": "x"}, "b": [], "c": {"output_cost_per_token": -1}, "d": {},
	  "e": {"cache_creation_input_token_cost_above_1hr": -1e-6}}`
	_, err := pricing.Load(strings.NewReader(in))
	d := errs.From(err)
	if d.Code != connect.CodeInvalidArgument || d.Reason != "PRICE_TABLE_INVALID" {
		t.Fatalf("got %v", err)
	}
	for _, name := range []string{`"a"`, `"b"`, `"c"`, `"e"`} {
		if !strings.Contains(d.Message, name) {
			t.Errorf("message %q does not name %s", d.Message, name)
		}
	}
	if strings.Contains(d.Message, `"d"`) {
		t.Errorf("message %q names the good entry d", d.Message)
	}
}

func TestLoadFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "prices.json")
	if err := os.WriteFile(path, []byte(`{"x": {"input_cost_per_token": 1e-9}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tbl, err := pricing.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := tbl.Lookup("", "x"); p.Cost(&aiv1.Usage{InputTokens: 5}) != 5 {
		t.Errorf("cost of 5 tokens at 1 nano = %d", p.Cost(&aiv1.Usage{InputTokens: 5}))
	}
	if _, err := pricing.LoadFile(filepath.Join(t.TempDir(), "missing.json")); errs.From(err).Reason != "PRICE_TABLE_UNREADABLE" {
		t.Errorf("missing file: %v", err)
	}
}

func TestLoadMalformed(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "[]", "{", `"x"`, "null x"} {
		if _, err := pricing.Load(strings.NewReader(in)); errs.From(err).Code != connect.CodeInvalidArgument {
			t.Errorf("Load(%q) = %v, want InvalidArgument", in, err)
		}
	}
}

// TestCostSaturates: absurd prices give a large cost, never a negative one. Before,
// each term was capped but their sum was not, and three capped terms overflowed.
func TestCostSaturates(t *testing.T) {
	t.Parallel()
	tbl, err := pricing.Load(strings.NewReader(`{"m": {"input_cost_per_token": 1e300, "output_cost_per_token": 1e300,
	  "cache_read_input_token_cost": 1e300, "cache_creation_input_token_cost": 1e300, "cache_creation_input_token_cost_above_1hr": 1e300}}`))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := tbl.Lookup("", "m")
	u := &aiv1.Usage{InputTokens: 10, CacheReadTokens: 2, CacheWriteTokens: 4, OutputTokens: 1}
	if got, want := p.CostWith1hWrites(u, 2), int64(math.MaxInt64/2); got != want {
		t.Errorf("cost %d, want %d", got, want)
	}
}
