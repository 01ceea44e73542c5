package gateway_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/providertest"
	"github.com/footingdev/footing/aigateway/quota"
)

// settleStore records what each request reserved and how it was settled.
type settleStore struct {
	quota.Store
	mu       sync.Mutex
	reserved map[string]int64 // by kind: "tpm", "spend"
	adjusted map[string]int64
}

func newSettleStore() *settleStore {
	return &settleStore{Store: quota.NewMemoryStore(nil), reserved: map[string]int64{}, adjusted: map[string]int64{}}
}

func kindOf(key string) string {
	for _, k := range []string{":tpm:", ":spend:", ":rpm:"} {
		if strings.Contains(key, k) {
			return strings.Trim(k, ":")
		}
	}
	return key
}

func (s *settleStore) Reserve(ctx context.Context, cs []quota.Counter) (int, error) {
	i, err := s.Store.Reserve(ctx, cs)
	if err == nil && i < 0 {
		s.mu.Lock()
		for _, c := range cs {
			s.reserved[kindOf(c.Key)] += c.Add
		}
		s.mu.Unlock()
	}
	return i, err
}

func (s *settleStore) Adjust(ctx context.Context, cs []quota.Counter) error {
	s.mu.Lock()
	for _, c := range cs {
		s.adjusted[kindOf(c.Key)] += c.Add
	}
	s.mu.Unlock()
	return s.Store.Adjust(ctx, cs)
}

// settled is what the request was finally charged of kind.
func (s *settleStore) settled(kind string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reserved[kind] + s.adjusted[kind]
}

// TestPartialUsageIsCharged: a stream that ends before the provider reported its
// usage (OpenAI sends it only in its last chunk) is charged the input estimate and
// the output it forwarded, never nothing — else a caller who hangs up just before
// the end, or an upstream failing mid-answer, would be served for free and get the
// whole reservation refunded.
func TestPartialUsageIsCharged(t *testing.T) {
	t.Parallel()
	// "hi" is estimated at 9 input tokens (8 per message, one per 3 bytes + 1); the
	// forwarded output at one token per 3 bytes + 1 per chunk: "Hello" 2, " world,
	// this is partial" (23 bytes) 8.
	const in, out = 9, 2 + 8
	for _, tc := range []struct {
		name  string
		end   providertest.Step // after the two text steps; zero means stall
		leave bool              // the caller closes after the second chunk
		code  connect.Code
	}{
		{name: "caller leaves", leave: true, code: connect.CodeCanceled},
		{name: "upstream fails mid-stream", end: providertest.Step{Error: &providertest.Failure{Kind: provider.KindServer}}, code: connect.CodeUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := newSettleStore()
			b := setup(t, setupOpts{store: store, limits: quota.Config{Tenant: quota.Limits{TokensPerMinute: 1_000_000, Budget: 1_000_000_000}}})
			reply := providertest.Reply{Steps: []providertest.Step{{Text: "Hello"}, {Text: " world, this is partial"}}}
			if tc.leave {
				reply.Stall = true
			} else {
				reply.Steps = append(reply.Steps, tc.end)
			}
			b.primary.Enqueue(reply)
			s, err := b.gw.Chat(as(t.Context(), "acme"), chatReq("hi"))
			if err != nil {
				t.Fatal(err)
			}
			var text string
			for range 2 {
				c, err := s.Next()
				if err != nil {
					t.Fatal(err)
				}
				text += c.GetDeltaText()
			}
			var endErr error
			if tc.leave {
				_ = s.Close()
				_, endErr = s.Next()
			} else {
				_, endErr = s.Next()
				_ = s.Close()
			}
			if text != "Hello world, this is partial" || errs.From(endErr).Code != tc.code {
				t.Fatalf("got %q, then %v", text, endErr)
			}
			if got := store.settled("tpm"); got != in+out {
				t.Errorf("settled %d tokens, want %d (input estimate %d + forwarded output %d)", got, in+out, in, out)
			}
			if got, want := store.settled("spend"), miniCost(in, out); got != want {
				t.Errorf("settled %d nano-USD, want %d", got, want)
			}
			if got, want := b.sum(t, "footing.ai.cost"), float64(miniCost(in, out))/1e9; got != want {
				t.Errorf("cost metric %v USD, want %v", got, want)
			}
		})
	}
}

// failingAdjust fails every settle.
type failingAdjust struct{ quota.Store }

func (failingAdjust) Adjust(context.Context, []quota.Counter) error {
	return errs.Unavailable("QUOTA_STORE_UNAVAILABLE", "the quota store is unavailable")
}

// TestSettleFailureIsOnTheSpan: a settle the store failed every time leaves the
// worst case reserved; the call's span says so rather than nothing.
func TestSettleFailureIsOnTheSpan(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{store: failingAdjust{quota.NewMemoryStore(nil)}, limits: quota.Config{Tenant: quota.Limits{Budget: 1_000_000_000}}})
	b.primary.Enqueue(providertest.Text("ok"))
	s, err := b.gw.Chat(as(t.Context(), "acme"), chatReq("hi"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := drain(s); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	spans := b.spans.Ended()
	if len(spans) != 1 {
		t.Fatalf("%d spans", len(spans))
	}
	var reasons []string
	for _, ev := range spans[0].Events() {
		if ev.Name == "footing.ai.settle_failed" {
			for _, a := range ev.Attributes {
				reasons = append(reasons, a.Value.AsString())
			}
		}
	}
	if len(reasons) != 1 || reasons[0] != "QUOTA_STORE_UNAVAILABLE" {
		t.Errorf("settle_failed events with %v, want one with QUOTA_STORE_UNAVAILABLE", reasons)
	}
}

// TestUnreportedUsageIsCharged: a stream that ends cleanly without any usage (an
// OpenAI-compatible server not asked for stream usage, or a connection dropped
// between the finish chunk and the usage chunk) is charged the estimates, not zero.
func TestUnreportedUsageIsCharged(t *testing.T) {
	t.Parallel()
	// "hi": 9 input tokens estimated; "Hello" 2 and " world" 3 output tokens.
	const in, out = 9, 2 + 3
	store := newSettleStore()
	b := setup(t, setupOpts{store: store, noStreamUsage: true, limits: quota.Config{Tenant: quota.Limits{TokensPerMinute: 1_000_000, Budget: 1_000_000_000}}})
	b.primary.Enqueue(providertest.Text("Hello", " world"))
	resp, err := b.gw.Complete(as(t.Context(), "acme"), chatReq("hi"))
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.GetMessage().GetContent()[0].GetText(); got != "Hello world" {
		t.Fatalf("got %q", got)
	}
	if got := store.settled("tpm"); got != in+out {
		t.Errorf("settled %d tokens, want %d", got, in+out)
	}
	if got, want := store.settled("spend"), miniCost(in, out); got != want {
		t.Errorf("settled %d nano-USD, want %d", got, want)
	}
}
