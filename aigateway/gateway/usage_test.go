package gateway_test

import (
	"math"
	"testing"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/providertest"
	"github.com/footingdev/footing/aigateway/quota"
)

// TestHostileUsageIsNotRefunded: an upstream (an OpenAI-compatible server, buggy
// or hostile) reports token counts that are negative or near the int64 limit.
// Settling them as sent refunded more than was reserved — the tenant's
// tokens-per-minute counter went below zero, a limit lifted for the window — and
// two huge counts summed past the int64 limit to a negative. Negative counts are
// zero (none reported at all: the estimates are charged), huge ones are held to
// router.MaxReportedTokens, and the caller sees the same counts.
func TestHostileUsageIsNotRefunded(t *testing.T) {
	t.Parallel()
	const in, out = 9, 2 // the estimates of "hi" and of the answer "Hello"
	for _, tc := range []struct {
		name         string
		usage        *aiv1.Usage
		wantIn, want int64 // the usage the caller sees; the tokens settled
	}{
		{"negative", &aiv1.Usage{InputTokens: -1_000_000_000, OutputTokens: -1_000_000_000}, 0, in + out},
		{"negative input", &aiv1.Usage{InputTokens: -1_000_000_000, OutputTokens: 7}, 0, 7},
		{"huge", &aiv1.Usage{InputTokens: math.MaxInt64/2 + 1, OutputTokens: math.MaxInt64/2 + 1}, 1 << 40, 2 << 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := newSettleStore()
			b := setup(t, setupOpts{store: store, limits: quota.Config{Tenant: quota.Limits{TokensPerMinute: 1 << 50}}})
			b.primary.Enqueue(providertest.Reply{Steps: []providertest.Step{{Text: "Hello"}}, Usage: tc.usage})
			s, err := b.gw.Chat(as(t.Context(), "acme"), chatReq("hi"))
			if err != nil {
				t.Fatal(err)
			}
			_, last, err := drain(s)
			_ = s.Close()
			if err != nil {
				t.Fatal(err)
			}
			if u := last.GetUsage(); u.GetInputTokens() != tc.wantIn || u.GetOutputTokens() < 0 || u.GetCostNanosUsd() < 0 {
				t.Errorf("the caller saw usage %v, want %d input tokens and nothing negative", u, tc.wantIn)
			}
			if got := store.settled("tpm"); got != tc.want {
				t.Errorf("settled %d tokens, want %d", got, tc.want)
			}
		})
	}
}

// TestNonPositiveMaxTokensReservesTheMaximum: Gateway.Chat is a library call, and
// a request it gets need not have passed the validation interceptor. A max_tokens
// of zero or below was reserved as it was — in + MinInt32 tokens, a negative
// reservation that lowered the tenant's tokens-per-minute counter (and let others
// through) for as long as the call lasted, which is forever for servers such as
// llama.cpp that read -1 as "no limit". It is now reserved as an absent one: the
// model's maximum.
func TestNonPositiveMaxTokensReservesTheMaximum(t *testing.T) {
	t.Parallel()
	for _, mt := range []int32{0, -1, math.MinInt32} {
		store := newSettleStore()
		b := setup(t, setupOpts{store: store, limits: quota.Config{Tenant: quota.Limits{TokensPerMinute: 1 << 40}}})
		b.primary.Enqueue(providertest.Text("Hello"))
		req := chatReq("hi")
		req.MaxTokens = &mt
		s, err := b.gw.Chat(as(t.Context(), "acme"), req)
		if err != nil {
			t.Fatal(err)
		}
		_, _, _ = drain(s)
		_ = s.Close()
		store.mu.Lock()
		reserved := store.reserved["tpm"]
		store.mu.Unlock()
		if want := int64(9 + 16384); reserved != want { // gpt-4o-mini's max_output_tokens
			t.Errorf("max_tokens %d: reserved %d tokens, want %d", mt, reserved, want)
		}
	}
}

// TestMaxTokensAboveTheModelsIsReservedAtItsMaximum: a max_tokens above the
// model's max_output_tokens cannot be generated (providers refuse it or stop at
// their maximum), but it was reserved as asked — 2^30 tokens at gpt-4o-mini's
// output price, so a tenant with budget for any answer the model can give was
// refused BUDGET_EXHAUSTED, and a smaller excess held budget its other users
// could not spend while the call lasted. It is reserved at the model's maximum.
func TestMaxTokensAboveTheModelsIsReservedAtItsMaximum(t *testing.T) {
	t.Parallel()
	store := newSettleStore()
	// "hi" is 9 tokens in; gpt-4o-mini gives at most 16384 out.
	b := setup(t, setupOpts{store: store, limits: quota.Config{Tenant: quota.Limits{Budget: 2 * miniCost(9, 16384)}}})
	b.primary.Enqueue(providertest.Text("Hello"))
	req := chatReq("hi")
	req.MaxTokens = new(int32(1 << 30))
	s, err := b.gw.Chat(as(t.Context(), "acme"), req)
	if err != nil {
		t.Fatalf("refused: %v", err)
	}
	_, _, _ = drain(s)
	_ = s.Close()
	store.mu.Lock()
	reserved := store.reserved["spend"]
	store.mu.Unlock()
	if want := miniCost(9, 16384); reserved != want {
		t.Errorf("reserved %d nano-USD, want %d", reserved, want)
	}
}
