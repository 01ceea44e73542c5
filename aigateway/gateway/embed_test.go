package gateway_test

import (
	"testing"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/quota"
)

func embedReq() *aiv1.EmbedRequest {
	return &aiv1.EmbedRequest{Model: "chat", Inputs: []string{"the quick brown fox", "jumps over the lazy dog"}}
}

// TestEmbedIsUnderQuota: embeddings are requests that cost money, so the caller's
// limits hold for them as for chats — Embed took no reservation at all, so a
// tenant past its requests per minute or its budget embedded on without limit.
// An embedding is reserved at its input estimate, settled at the usage and cost
// the provider reported, and refused like a chat.
func TestEmbedIsUnderQuota(t *testing.T) {
	t.Parallel()
	t.Run("requests per minute", func(t *testing.T) {
		t.Parallel()
		b := setup(t, setupOpts{limits: quota.Config{Tenant: quota.Limits{RequestsPerMinute: 2}}})
		for i := range 3 {
			_, err := b.gw.Embed(as(t.Context(), "acme"), embedReq())
			if i < 2 && err != nil {
				t.Fatalf("embedding %d: %v", i, err)
			}
			if i == 2 && errs.From(err).Reason != "REQUESTS_PER_MINUTE_EXCEEDED" {
				t.Fatalf("the third embedding in a minute of 2: %v", err)
			}
		}
	})
	t.Run("budget", func(t *testing.T) {
		t.Parallel()
		b := setup(t, setupOpts{limits: quota.Config{Tenant: quota.Limits{Budget: 1}}})
		if _, err := b.gw.Embed(as(t.Context(), "acme"), embedReq()); errs.From(err).Reason != "BUDGET_EXHAUSTED" {
			t.Fatalf("an embedding over a budget of 1 nano-USD: %v", err)
		}
		if n := len(b.primary.Requests()); n != 0 {
			t.Errorf("the upstream saw %d requests", n)
		}
	})
	t.Run("settled at the reported usage", func(t *testing.T) {
		t.Parallel()
		store := newSettleStore()
		b := setup(t, setupOpts{store: store, limits: quota.Config{Tenant: quota.Limits{TokensPerMinute: 1_000_000, Budget: 1_000_000_000}}})
		resp, err := b.gw.Embed(as(t.Context(), "acme"), embedReq())
		if err != nil {
			t.Fatal(err)
		}
		u := resp.GetUsage()
		if u.GetInputTokens() != 9 || u.GetCostNanosUsd() != miniCost(9, 0) {
			t.Fatalf("usage %v", u)
		}
		if got := store.settled("tpm"); got != 9 {
			t.Errorf("settled %d tokens, want 9", got)
		}
		if got := store.settled("spend"); got != miniCost(9, 0) {
			t.Errorf("settled %d nano-USD, want %d", got, miniCost(9, 0))
		}
	})
}
