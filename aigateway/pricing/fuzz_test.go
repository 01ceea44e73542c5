package pricing_test

import (
	"bytes"
	"testing"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/pricing"
)

// FuzzLoad checks that any input either loads into a table whose every price gives
// a non-negative cost, or fails with InvalidArgument — never a panic.
func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"m":{"input_cost_per_token":1e-6}}`, `{"m":{"x":1,"mode":"chat"}}`, `{"m":[]}`,
		`{"m":{"input_cost_per_token":-1}}`, `{"m":{"max_output_tokens":1e300}}`, `{"sample_spec":1}`,
		`{"m":{"output_cost_per_token":1e308}}`, `null`, `{"a/b":{"litellm_provider":"a"}}`,
		`{"m":{"input_cost_per_token":1e-6,"cache_creation_input_token_cost":1.25e-6,"cache_creation_input_token_cost_above_1hr":2e-6}}`,
		`{"m":{"cache_creation_input_token_cost_above_1hr":-2e-6}}`, `{"m":{"cache_creation_input_token_cost_above_1hr":"2e-6"}}`,
		`{"m":{"cache_creation_input_token_cost_above_1hr":1e308}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		tbl, err := pricing.Load(bytes.NewReader(in))
		if err != nil {
			if c := errs.From(err).Code; c != connect.CodeInvalidArgument {
				t.Fatalf("error code %v, want InvalidArgument: %v", c, err)
			}
			return
		}
		u := &aiv1.Usage{InputTokens: 1 << 40, OutputTokens: 1 << 40, CacheReadTokens: 7, CacheWriteTokens: 3}
		for _, m := range tbl.Models() {
			p, ok := tbl.Lookup("", m)
			if !ok {
				t.Fatalf("model %q listed but not found", m)
			}
			if c := p.Cost(u); c < 0 {
				t.Fatalf("model %q: negative cost %d", m, c)
			}
			if c := p.CostWith1hWrites(u, 2); c < 0 {
				t.Fatalf("model %q: negative cost %d with 1-hour writes", m, c)
			}
		}
	})
}
