package pricing

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// A Price is one model's entry, in LiteLLM's field names. Prices are US dollars per
// token.
type Price struct {
	InputCostPerToken           float64 `json:"input_cost_per_token"`
	OutputCostPerToken          float64 `json:"output_cost_per_token"`
	CacheReadInputTokenCost     float64 `json:"cache_read_input_token_cost"`
	CacheCreationInputTokenCost float64 `json:"cache_creation_input_token_cost"`
	// CacheCreationInputTokenCostAbove1Hr is the price of a token written to a
	// 1-hour cache (Anthropic's extended cache TTL); CacheCreationInputTokenCost is
	// that of a default, 5-minute, write.
	CacheCreationInputTokenCostAbove1Hr float64 `json:"cache_creation_input_token_cost_above_1hr"`
	// The *Above200k prices are the long-context tier's (Gemini 2.5 Pro, Claude
	// Sonnet's 1M-token window): a request whose prompt has more than
	// [LongContextThreshold] tokens is priced at them, every token of it. A zero
	// one takes the base field's value (see [Price.CostWith1hWrites]).
	InputCostPerTokenAbove200k                   float64 `json:"input_cost_per_token_above_200k_tokens"`
	OutputCostPerTokenAbove200k                  float64 `json:"output_cost_per_token_above_200k_tokens"`
	CacheReadInputTokenCostAbove200k             float64 `json:"cache_read_input_token_cost_above_200k_tokens"`
	CacheCreationInputTokenCostAbove200k         float64 `json:"cache_creation_input_token_cost_above_200k_tokens"`
	CacheCreationInputTokenCostAbove1HrAbove200k float64 `json:"cache_creation_input_token_cost_above_1hr_above_200k_tokens"`
	MaxInputTokens                               int64   `json:"max_input_tokens"`
	MaxOutputTokens                              int64   `json:"max_output_tokens"`
	LiteLLMProvider                              string  `json:"litellm_provider"`
	Mode                                         string  `json:"mode"`
	SupportsFunctionCalling                      bool    `json:"supports_function_calling"`
	SupportsVision                               bool    `json:"supports_vision"`
	SupportsResponseSchema                       bool    `json:"supports_response_schema"`
	SupportsPromptCaching                        bool    `json:"supports_prompt_caching"`
	SupportsReasoning                            bool    `json:"supports_reasoning"`
	SupportsSystemMessages                       bool    `json:"supports_system_messages"`
	SupportsToolChoice                           bool    `json:"supports_tool_choice"`
	SupportsParallelFunctionCall                 bool    `json:"supports_parallel_function_calling"`
}

// A Table maps model names to prices. It is immutable once loaded and safe to use
// concurrently.
type Table struct {
	prices map[string]Price
}

//go:embed default.json
var defaultJSON []byte

// MaxFileSize bounds what [Load] reads: LiteLLM's own file is about 1.5 MB.
const MaxFileSize = 64 << 20

// Default returns the embedded table: a handful of current Anthropic, OpenAI and
// Gemini models. Production deployments load LiteLLM's full file with [LoadFile].
func Default() *Table {
	t, err := Load(bytes.NewReader(defaultJSON))
	if err != nil {
		panic("pricing: embedded default table: " + err.Error())
	}
	return t
}

// LoadFile reads a table from a LiteLLM-format JSON file.
func LoadFile(path string) (*Table, error) {
	f, err := os.Open(path) //nolint:gosec // the path is the operator's configuration
	if err != nil {
		return nil, errs.InvalidArgument("PRICE_TABLE_UNREADABLE", "cannot open the price table: "+err.Error())
	}
	defer f.Close()
	return Load(f)
}

// Load reads a table from LiteLLM-format JSON: an object whose keys are model names
// and whose values are price entries. Unknown fields are ignored, as is LiteLLM's
// "sample_spec" entry; entries that are not objects, or whose known fields have the
// wrong type or a negative price, are reported all at once as an InvalidArgument
// error naming each bad entry.
func Load(r io.Reader) (*Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, errs.InvalidArgument("PRICE_TABLE_UNREADABLE", "cannot read the price table: "+err.Error())
	}
	if len(data) > MaxFileSize {
		return nil, errs.InvalidArgument("PRICE_TABLE_TOO_LARGE", fmt.Sprintf("the price table is larger than %d bytes", MaxFileSize))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, errs.InvalidArgument("PRICE_TABLE_MALFORMED", "the price table is not a JSON object: "+err.Error())
	}
	t := &Table{prices: make(map[string]Price, len(raw))}
	var problems []string
	for name, msg := range raw {
		if name == "sample_spec" {
			continue
		}
		var p Price
		if err := json.Unmarshal(msg, &p); err != nil {
			problems = append(problems, fmt.Sprintf("%q: %v", name, err))
			continue
		}
		if p.InputCostPerToken < 0 || p.OutputCostPerToken < 0 || p.CacheReadInputTokenCost < 0 ||
			p.CacheCreationInputTokenCost < 0 || p.CacheCreationInputTokenCostAbove1Hr < 0 ||
			p.MaxInputTokens < 0 || p.MaxOutputTokens < 0 || p.InputCostPerTokenAbove200k < 0 ||
			p.OutputCostPerTokenAbove200k < 0 || p.CacheReadInputTokenCostAbove200k < 0 ||
			p.CacheCreationInputTokenCostAbove200k < 0 || p.CacheCreationInputTokenCostAbove1HrAbove200k < 0 {
			problems = append(problems, fmt.Sprintf("%q: negative price or token limit", name))
			continue
		}
		t.prices[name] = p
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		if len(problems) > 10 {
			problems = append(problems[:10], fmt.Sprintf("and %d more", len(problems)-10))
		}
		return nil, errs.InvalidArgument("PRICE_TABLE_INVALID", "bad price table entries: "+strings.Join(problems, "; "))
	}
	return t, nil
}

// Lookup finds the price of provider's model. It tries "provider/model" first (the
// form LiteLLM uses for Gemini and others), then the bare model name.
func (t *Table) Lookup(provider, model string) (Price, bool) {
	if t == nil {
		return Price{}, false
	}
	if provider != "" {
		if p, ok := t.prices[provider+"/"+model]; ok {
			return p, true
		}
	}
	p, ok := t.prices[model]
	return p, ok
}

// Len is the number of models in the table.
func (t *Table) Len() int {
	if t == nil {
		return 0
	}
	return len(t.prices)
}

// Models returns the table's model names, sorted.
func (t *Table) Models() []string {
	if t == nil {
		return nil
	}
	names := make([]string, 0, len(t.prices))
	for n := range t.prices {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Cost is the cost of u at price p, in nano-USD, every cache write priced as a
// 5-minute one: [Price.CostWith1hWrites] with none written for an hour.
func (p Price) Cost(u *aiv1.Usage) int64 { return p.CostWith1hWrites(u, 0) }

// CostWith1hWrites is the cost of u at price p, in nano-USD, when writes1h of u's
// CacheWriteTokens were written to a 1-hour cache (at most all of them; ai/v1
// Usage has no field for the split, so providers report it beside the usage, see
// provider.CacheWrite1hReporter).
//
// InputTokens counts every input token, including those read from or written to
// the provider's prompt cache (CacheReadTokens, CacheWriteTokens): the rest are
// charged at input_cost_per_token, cache reads at cache_read_input_token_cost,
// 5-minute writes at cache_creation_input_token_cost and 1-hour writes at
// cache_creation_input_token_cost_above_1hr; output at output_cost_per_token.
// A cache price the entry lacks falls back: reads and 5-minute writes to the input
// price, 1-hour writes to the 5-minute write price (so to the input price when
// that is missing too) — as LiteLLM prices a tier that lacks it. (LiteLLM's
// untiered path prices them at zero instead; a missing price never makes tokens
// free here.) Each term is rounded to the nearest nano-USD.
//
// When InputTokens is above [LongContextThreshold], every token is priced at the
// long-context tier's prices (the *_above_200k_tokens fields), as Google and
// Anthropic bill such a request; a tier price the entry lacks takes the base
// price of its kind (a 1-hour write's at least the tier's 5-minute one), and then
// the fallbacks above apply within the tier.
func (p Price) CostWith1hWrites(u *aiv1.Usage, writes1h int64) int64 {
	if u == nil {
		return 0
	}
	p = p.tier(u.GetInputTokens())
	cacheRead, cacheWrite := u.GetCacheReadTokens(), u.GetCacheWriteTokens()
	plain := u.GetInputTokens() - cacheRead - cacheWrite
	if plain < 0 {
		plain = 0
	}
	writes1h = min(max(writes1h, 0), max(cacheWrite, 0))
	readPrice, writePrice, write1hPrice := p.CacheReadInputTokenCost, p.CacheCreationInputTokenCost, p.CacheCreationInputTokenCostAbove1Hr
	if readPrice == 0 {
		readPrice = p.InputCostPerToken
	}
	if writePrice == 0 {
		writePrice = p.InputCostPerToken
	}
	if write1hPrice == 0 {
		write1hPrice = writePrice
	}
	return capped(nanos(plain, p.InputCostPerToken), nanos(cacheRead, readPrice),
		nanos(cacheWrite-writes1h, writePrice), nanos(writes1h, write1hPrice),
		nanos(u.GetOutputTokens(), p.OutputCostPerToken))
}

// capped adds terms of at most maxNanos each, saturating at maxNanos.
func capped(terms ...int64) int64 {
	var sum int64
	for _, v := range terms {
		sum = min(sum+v, maxNanos)
	}
	return sum
}

// WorstCase is the most a request can cost: inputTokens at the dearest price an
// input token can have — the input price, or a cache write's (5-minute or 1-hour,
// with the fallbacks of [Price.CostWith1hWrites]) when that is higher, since a
// provider may write the whole prompt to its cache — plus maxOutputTokens at the
// output price, in nano-USD, at the long-context tier's prices when inputTokens
// is above [LongContextThreshold]. Budgets reserve it before a call.
func (p Price) WorstCase(inputTokens, maxOutputTokens int64) int64 {
	p = p.tier(inputTokens)
	in := p.InputCostPerToken
	write := p.CacheCreationInputTokenCost
	if write == 0 {
		write = in
	}
	write1h := p.CacheCreationInputTokenCostAbove1Hr
	if write1h == 0 {
		write1h = write
	}
	return capped(nanos(inputTokens, max(in, write, write1h)), nanos(maxOutputTokens, p.OutputCostPerToken))
}

// LongContextThreshold is the prompt size, in tokens, above which a request is
// priced at a model's long-context tier (LiteLLM's *_above_200k_tokens fields).
const LongContextThreshold = 200_000

// tier is p with the long-context prices in place of the base ones when a prompt
// of inputTokens is above [LongContextThreshold]; a tier price p lacks keeps the
// base one, but a 1-hour write never costs less than a 5-minute one of the tier.
func (p Price) tier(inputTokens int64) Price {
	if inputTokens <= LongContextThreshold {
		return p
	}
	over := func(base *float64, tier float64) {
		if tier > 0 {
			*base = tier
		}
	}
	over(&p.InputCostPerToken, p.InputCostPerTokenAbove200k)
	over(&p.OutputCostPerToken, p.OutputCostPerTokenAbove200k)
	over(&p.CacheReadInputTokenCost, p.CacheReadInputTokenCostAbove200k)
	over(&p.CacheCreationInputTokenCost, p.CacheCreationInputTokenCostAbove200k)
	if p.CacheCreationInputTokenCostAbove1HrAbove200k > 0 {
		p.CacheCreationInputTokenCostAbove1Hr = p.CacheCreationInputTokenCostAbove1HrAbove200k
	} else if p.CacheCreationInputTokenCostAbove1Hr > 0 {
		// A 1-hour write costs at least a 5-minute one of the same tier.
		write := p.CacheCreationInputTokenCost
		if write == 0 {
			write = p.InputCostPerToken
		}
		p.CacheCreationInputTokenCostAbove1Hr = max(p.CacheCreationInputTokenCostAbove1Hr, write)
	}
	return p
}

// maxNanos bounds a cost (and each of its terms), so that sums of a few costs
// cannot overflow.
const maxNanos = math.MaxInt64 / 2

func nanos(tokens int64, usdPerToken float64) int64 {
	if tokens <= 0 || usdPerToken <= 0 {
		return 0
	}
	v := math.Round(float64(tokens) * usdPerToken * 1e9)
	if v >= maxNanos {
		return maxNanos
	}
	return int64(v)
}
