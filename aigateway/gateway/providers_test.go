package gateway_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/gateway"
	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/provider/anthropic"
	"github.com/footingdev/footing/aigateway/provider/gemini"
	"github.com/footingdev/footing/aigateway/provider/openai"
	"github.com/footingdev/footing/aigateway/providertest"
	"github.com/footingdev/footing/aigateway/quota"
	"github.com/footingdev/footing/aigateway/router"
)

// TestUsageAndCostExactPerProvider streams and completes one answer from each
// provider's fake and checks the usage and the cost (from the embedded price table)
// to the nano-dollar: cached prompt tokens at cache_read_input_token_cost and the
// rest of the input at the input price (OpenAI's cached_tokens and Gemini's
// cachedContentTokenCount are parts of their prompt counts; Anthropic's
// cache_read_input_tokens is not part of input_tokens); Anthropic's 5-minute and
// 1-hour cache writes at cache_creation_input_token_cost and
// cache_creation_input_token_cost_above_1hr; Gemini's toolUsePromptTokenCount
// (outside promptTokenCount) counted and charged as input, its thoughts as output.
// The 1-hour writes and the tool-use tokens fail on the code before they were read:
// 1-hour writes were charged at the 5-minute price, tool-use tokens not at all.
func TestUsageAndCostExactPerProvider(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		wire  providertest.Wire
		model string
		mk    func(f *providertest.Fake) (provider.Provider, error)
		reply providertest.Reply // its Usage is the usage wanted
		want  int64
	}{
		{"anthropic", providertest.Anthropic, "claude-sonnet-4-5", func(f *providertest.Fake) (provider.Provider, error) {
			return anthropic.New(anthropic.Config{BaseURL: f.BaseURL(), APIKey: f.APIKey})
		}, providertest.Reply{Usage: &aiv1.Usage{InputTokens: 1000, CacheReadTokens: 200, OutputTokens: 50}},
			800*3000 + 200*300 + 50*15000},
		{"anthropic cache writes, 5-minute and 1-hour", providertest.Anthropic, "claude-sonnet-4-5", func(f *providertest.Fake) (provider.Provider, error) {
			return anthropic.New(anthropic.Config{BaseURL: f.BaseURL(), APIKey: f.APIKey})
		}, providertest.Reply{Usage: &aiv1.Usage{InputTokens: 1000, CacheReadTokens: 200, CacheWriteTokens: 300, OutputTokens: 50}, CacheWrite1hTokens: 120},
			500*3000 + 200*300 + 180*3750 + 120*6000 + 50*15000},
		{"anthropic 1-hour writes only", providertest.Anthropic, "claude-haiku-4-5", func(f *providertest.Fake) (provider.Provider, error) {
			return anthropic.New(anthropic.Config{BaseURL: f.BaseURL(), APIKey: f.APIKey})
		}, providertest.Reply{Usage: &aiv1.Usage{InputTokens: 5000, CacheWriteTokens: 4096, OutputTokens: 50}, CacheWrite1hTokens: 4096},
			904*1000 + 4096*2000 + 50*5000},
		{"openai", providertest.OpenAI, "gpt-4o", func(f *providertest.Fake) (provider.Provider, error) {
			return openai.New(openai.Config{BaseURL: f.BaseURL(), APIKey: f.APIKey})
		}, providertest.Reply{Usage: &aiv1.Usage{InputTokens: 1000, CacheReadTokens: 200, OutputTokens: 50, ReasoningTokens: 20}},
			800*2500 + 200*1250 + 50*10000},
		{"gemini", providertest.Gemini, "gemini-2.5-flash", func(f *providertest.Fake) (provider.Provider, error) {
			return gemini.New(gemini.Config{BaseURL: f.BaseURL(), APIKey: f.APIKey})
		}, providertest.Reply{Usage: &aiv1.Usage{InputTokens: 1000, CacheReadTokens: 200, OutputTokens: 50}},
			800*300 + 200*75 + 50*2500},
		{"gemini tool-use prompt and thoughts", providertest.Gemini, "gemini-2.5-flash", func(f *providertest.Fake) (provider.Provider, error) {
			return gemini.New(gemini.Config{BaseURL: f.BaseURL(), APIKey: f.APIKey})
		}, providertest.Reply{Usage: &aiv1.Usage{InputTokens: 1000, CacheReadTokens: 200, OutputTokens: 50, ReasoningTokens: 20}, ToolUsePromptTokens: 150},
			800*300 + 200*75 + 50*2500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := providertest.New(t, tc.wire)
			reply := tc.reply
			reply.Steps = []providertest.Step{{Text: "Hel"}, {Text: "lo"}}
			fake.SetDefault(reply)
			p, err := tc.mk(fake)
			if err != nil {
				t.Fatal(err)
			}
			r, err := router.New(router.Config{Routes: []router.Route{{Alias: "chat", Targets: []router.Target{{Provider: p, Model: tc.model}}}}})
			if err != nil {
				t.Fatal(err)
			}
			spend := &spendStore{Store: quota.NewMemoryStore(nil)}
			limits, err := quota.New(spend, quota.Config{Tenant: quota.Limits{Budget: 1e15}})
			if err != nil {
				t.Fatal(err)
			}
			gw, err := gateway.New(gateway.Config{Router: r, Limiter: limits})
			if err != nil {
				t.Fatal(err)
			}
			check := func(how string, u *aiv1.Usage) {
				t.Helper()
				want := proto.CloneOf(tc.reply.Usage)
				want.CostNanosUsd = tc.want
				if !proto.Equal(u, want) {
					t.Errorf("%s: usage %v, want %v", how, u, want)
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
			if got := spend.net(); got != 2*tc.want {
				t.Errorf("the budget was charged %d, want %d", got, 2*tc.want)
			}
		})
	}
}

// spendStore is a quota store that adds up what is reserved and settled on spend
// counters: after the calls, what they were charged.
type spendStore struct {
	quota.Store
	mu  sync.Mutex
	sum int64
}

func (s *spendStore) count(counters []quota.Counter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range counters {
		if strings.Contains(c.Key, ":spend:") {
			s.sum += c.Add
		}
	}
}

func (s *spendStore) Reserve(ctx context.Context, counters []quota.Counter) (int, error) {
	i, err := s.Store.Reserve(ctx, counters)
	if err == nil && i < 0 {
		s.count(counters)
	}
	return i, err
}

func (s *spendStore) Adjust(ctx context.Context, counters []quota.Counter) error {
	err := s.Store.Adjust(ctx, counters)
	if err == nil {
		s.count(counters)
	}
	return err
}

func (s *spendStore) net() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sum
}

// TestCutShortStreamCharges1hWrites: an Anthropic stream cut after its
// message_start is charged its reported input, 1-hour cache writes at their price,
// and the output it forwarded (see TestPartialUsageIsCharged): the 1-hour split
// comes from message_start, not from the end of the stream.
func TestCutShortStreamCharges1hWrites(t *testing.T) {
	t.Parallel()
	fake := providertest.New(t, providertest.Anthropic)
	fake.SetDefault(providertest.Reply{Steps: []providertest.Step{{Text: "Hel"}, {Text: "lo"}}, Truncate: true,
		Usage: &aiv1.Usage{InputTokens: 1000, CacheReadTokens: 200, CacheWriteTokens: 300, OutputTokens: 50}, CacheWrite1hTokens: 120})
	p, err := anthropic.New(anthropic.Config{BaseURL: fake.BaseURL(), APIKey: fake.APIKey})
	if err != nil {
		t.Fatal(err)
	}
	r, err := router.New(router.Config{Routes: []router.Route{{Alias: "chat", Targets: []router.Target{{Provider: p, Model: "claude-sonnet-4-5"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	spend := &spendStore{Store: quota.NewMemoryStore(nil)}
	limits, err := quota.New(spend, quota.Config{Tenant: quota.Limits{Budget: 1e15}})
	if err != nil {
		t.Fatal(err)
	}
	gw, err := gateway.New(gateway.Config{Router: r, Limiter: limits})
	if err != nil {
		t.Fatal(err)
	}
	s, err := gw.Chat(as(t.Context(), "acme"), chatReq("hi"))
	if err != nil {
		t.Fatal(err)
	}
	text, _, err := drain(s)
	s.Close()
	if err == nil || text != "Hello" {
		t.Fatalf("got %q, %v; want the text, then an error", text, err)
	}
	// Output: a token per three bytes of each chunk, plus one ("Hel" 2, "lo" 1).
	if got, want := spend.net(), int64(500*3000+200*300+180*3750+120*6000+3*15000); got != want {
		t.Errorf("the budget was charged %d, want %d", got, want)
	}
}

// TestBudgetCovers1hWrites: a budget is never overspent by a prompt written to a
// 1-hour cache. chatReq("hi") is estimated at 9 input tokens; with max_tokens 1 on
// claude-haiku-4-5 the answer below costs 9 × $2/MTok (1-hour writes) + 1 × $5/MTok
// = 23,000 nano-USD. A budget of 22,999 refuses the call; one of 23,000 serves it
// and is spent to the last nano-dollar. Before, the reservation priced the input
// at $1/MTok (14,000), so the first budget let the call through and was overspent.
func TestBudgetCovers1hWrites(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		budget int64
		served bool
	}{{22_999, false}, {23_000, true}} {
		t.Run(fmt.Sprint(tc.budget), func(t *testing.T) {
			t.Parallel()
			fake := providertest.New(t, providertest.Anthropic)
			fake.SetDefault(providertest.Reply{Steps: []providertest.Step{{Text: "H"}},
				Usage: &aiv1.Usage{InputTokens: 9, CacheWriteTokens: 9, OutputTokens: 1}, CacheWrite1hTokens: 9})
			p, err := anthropic.New(anthropic.Config{BaseURL: fake.BaseURL(), APIKey: fake.APIKey})
			if err != nil {
				t.Fatal(err)
			}
			r, err := router.New(router.Config{Routes: []router.Route{{Alias: "chat", Targets: []router.Target{{Provider: p, Model: "claude-haiku-4-5"}}}}})
			if err != nil {
				t.Fatal(err)
			}
			spend := &spendStore{Store: quota.NewMemoryStore(nil)}
			limits, err := quota.New(spend, quota.Config{Tenant: quota.Limits{Budget: tc.budget}})
			if err != nil {
				t.Fatal(err)
			}
			gw, err := gateway.New(gateway.Config{Router: r, Limiter: limits})
			if err != nil {
				t.Fatal(err)
			}
			req := chatReq("hi")
			req.MaxTokens = new(int32(1))
			resp, err := gw.Complete(as(t.Context(), "acme"), req)
			if !tc.served {
				if errs.From(err).Reason != "BUDGET_EXHAUSTED" {
					t.Fatalf("got %v, %v; want BUDGET_EXHAUSTED", resp, err)
				}
				return
			}
			if err != nil || resp.GetUsage().GetCostNanosUsd() != 23_000 {
				t.Fatalf("got %v, %v; want a cost of 23000", resp, err)
			}
			if got := spend.net(); got != 23_000 {
				t.Errorf("the budget was charged %d, want 23000", got)
			}
		})
	}
}
