package pricing_test

import (
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
		want                  int64
	}{
		{"plain", "anthropic", "claude-sonnet-4-5", &aiv1.Usage{InputTokens: 1000, OutputTokens: 500}, 3_000_000 + 7_500_000},
		{"cache read and write at their prices", "anthropic", "claude-sonnet-4-5",
			&aiv1.Usage{InputTokens: 1000, CacheReadTokens: 600, CacheWriteTokens: 100, OutputTokens: 10},
			300*3000 + 600*300 + 100*3750 + 10*15000},
		{"cache write without its own price charged as input", "openai", "gpt-4o",
			&aiv1.Usage{InputTokens: 100, CacheWriteTokens: 100}, 100 * 2500},
		{"provider-prefixed key", "gemini", "gemini-2.5-flash", &aiv1.Usage{InputTokens: 10, OutputTokens: 10}, 10*300 + 10*2500},
		{"nil usage", "openai", "gpt-4o", nil, 0},
		{"fractional nanos rounded", "openai", "gpt-4o-mini", &aiv1.Usage{InputTokens: 1}, 150},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, ok := tbl.Lookup(tc.provider, tc.model)
			if !ok {
				t.Fatalf("no price for %s/%s", tc.provider, tc.model)
			}
			if got := p.Cost(tc.usage); got != tc.want {
				t.Errorf("Cost = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestWorstCase(t *testing.T) {
	t.Parallel()
	p, _ := pricing.Default().Lookup("anthropic", "claude-haiku-4-5")
	if got, want := p.WorstCase(1000, 2000), int64(1000*1000+2000*5000); got != want {
		t.Errorf("WorstCase = %d, want %d", got, want)
	}
}

func TestLoadIgnoresUnknownFieldsAndSampleSpec(t *testing.T) {
	t.Parallel()
	in := `{
	  "sample_spec": {"input_cost_per_token": "a string in LiteLLM's own file"},
	  "m": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6, "some_future_field": {"x": [1]},
	        "litellm_provider": "openai", "mode": "chat", "supports_vision": true, "max_output_tokens": 7}
	}`
	tbl, err := pricing.Load(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	p, ok := tbl.Lookup("openai", "m")
	if !ok || p.OutputCostPerToken != 2e-6 || !p.SupportsVision || p.MaxOutputTokens != 7 || p.Mode != "chat" {
		t.Fatalf("got %+v, %v", p, ok)
	}
	if tbl.Len() != 1 {
		t.Errorf("Len = %d, want 1 (sample_spec skipped)", tbl.Len())
	}
}

func TestLoadReportsEveryBadEntry(t *testing.T) {
	t.Parallel()
	in := `{"a": {"input_cost_per_token": "x"}, "b": [], "c": {"output_cost_per_token": -1}, "d": {}}`
	_, err := pricing.Load(strings.NewReader(in))
	d := errs.From(err)
	if d.Code != connect.CodeInvalidArgument || d.Reason != "PRICE_TABLE_INVALID" {
		t.Fatalf("got %v", err)
	}
	for _, name := range []string{`"a"`, `"b"`, `"c"`} {
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
