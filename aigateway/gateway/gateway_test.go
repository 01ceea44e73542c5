package gateway_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/attribute"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/providertest"
	"github.com/footingdev/footing/aigateway/quota"
)

// gpt-4o-mini: $0.15 and $0.60 per million input and output tokens.
func miniCost(in, out int64) int64 { return in*150 + out*600 }

func TestStreamedUsageCostAndTelemetry(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	b.primary.Enqueue(providertest.Reply{Steps: []providertest.Step{{Text: "Hel"}, {Text: "lo"}}, Usage: &aiv1.Usage{InputTokens: 1234, OutputTokens: 56}})
	s, err := b.gw.Chat(as(t.Context(), "acme"), chatReq("hi"))
	if err != nil {
		t.Fatal(err)
	}
	text, last, err := drain(s)
	s.Close()
	if err != nil || text != "Hello" {
		t.Fatalf("got %q, %v", text, err)
	}
	u := last.GetUsage()
	if u.GetInputTokens() != 1234 || u.GetOutputTokens() != 56 || u.GetCostNanosUsd() != miniCost(1234, 56) {
		t.Fatalf("usage %v, want cost %d", u, miniCost(1234, 56))
	}
	spans := b.spans.Ended()
	if len(spans) != 1 || spans[0].Name() != "chat chat" {
		t.Fatalf("spans %v", spans)
	}
	attrs := map[attribute.Key]attribute.Value{}
	for _, kv := range spans[0].Attributes() {
		attrs[kv.Key] = kv.Value
	}
	for k, want := range map[attribute.Key]string{
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "chat",
		"gen_ai.response.model": "gpt-4o-mini", "footing.tenant.id": "acme",
	} {
		if got := attrs[k].AsString(); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if attrs["gen_ai.usage.input_tokens"].AsInt64() != 1234 || attrs["gen_ai.usage.output_tokens"].AsInt64() != 56 {
		t.Errorf("usage attributes %v %v", attrs["gen_ai.usage.input_tokens"], attrs["gen_ai.usage.output_tokens"])
	}
	if fr := attrs["gen_ai.response.finish_reasons"].AsStringSlice(); len(fr) != 1 || fr[0] != "stop" {
		t.Errorf("finish reasons %v", fr)
	}
	if got := b.sum(t, "gen_ai.client.token.usage"); got != 1234+56 {
		t.Errorf("token usage metric %v", got)
	}
	if got := b.sum(t, "footing.ai.cost"); got*1e9 < float64(miniCost(1234, 56))-1 || got*1e9 > float64(miniCost(1234, 56))+1 {
		t.Errorf("cost metric %v USD", got)
	}
	if b.sum(t, "gen_ai.client.operation.duration") != 1 || b.sum(t, "gen_ai.server.time_to_first_token") != 1 {
		t.Error("duration or time-to-first-chunk not recorded once")
	}
}

func TestCompleteUsageAndCost(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	b.primary.Enqueue(providertest.Reply{Steps: []providertest.Step{{Text: "4"}}, Usage: &aiv1.Usage{InputTokens: 20, OutputTokens: 1, CacheReadTokens: 10}})
	resp, err := b.gw.Complete(as(t.Context(), "acme"), chatReq("2+2?"))
	if err != nil {
		t.Fatal(err)
	}
	// 10 uncached input tokens at 150, 10 cached at 75, one output token at 600.
	if resp.GetMessage().GetContent()[0].GetText() != "4" || resp.GetUsage().GetCostNanosUsd() != 10*150+10*75+600 || resp.GetFinishReason() != aiv1.FinishReason_FINISH_REASON_STOP {
		t.Fatalf("got %v", resp)
	}
}

func TestFallbackThroughTheGateway(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	b.primary.Enqueue(providertest.RateLimited(0), providertest.Fail(provider.KindOverloaded))
	b.backup.Enqueue(providertest.Text("from backup"))
	resp, err := b.gw.Complete(as(t.Context(), "acme"), chatReq("hi"))
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.GetMessage().GetContent()[0].GetText(); got != "from backup" || len(b.primary.Requests()) != 2 {
		t.Fatalf("got %q after %d primary requests", got, len(b.primary.Requests()))
	}
}

func TestNoFallbackAfterFirstChunkThroughTheGateway(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{limits: quota.Config{Tenant: quota.Limits{Budget: 1_000_000_000}}})
	b.primary.Enqueue(providertest.Reply{Steps: []providertest.Step{{Text: "partial"}, {Error: &providertest.Failure{Kind: provider.KindOverloaded}}}})
	s, err := b.gw.Chat(as(t.Context(), "acme"), chatReq("hi"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	text, _, err := drain(s)
	if text != "partial" || errs.From(err).Code != connect.CodeUnavailable {
		t.Fatalf("got %q, %v", text, err)
	}
	if n := len(b.backup.Requests()); n != 0 {
		t.Errorf("backup called %d times after the first chunk", n)
	}
}

func TestBudgetAffordsTen(t *testing.T) {
	t.Parallel()
	// A request reserves its worst case: ~9 input tokens estimated plus 100 output
	// tokens at gpt-4o-mini's prices; the budget affords 10 of them at once.
	worst := miniCost(9, 100)
	b := setup(t, setupOpts{limits: quota.Config{Tenant: quota.Limits{Budget: 10*worst + worst/2}}})
	b.primary.SetDefault(providertest.Reply{Steps: []providertest.Step{{Text: "x"}}, Stall: true})
	ctx, cancel := context.WithCancel(as(t.Context(), "acme"))
	var served, refused atomic.Int32
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open []interface{ Close() error }
	for range 100 {
		wg.Go(func() {
			s, err := b.gw.Chat(ctx, chatReq("hi"))
			if err != nil {
				if errs.From(err).Reason == "BUDGET_EXHAUSTED" {
					refused.Add(1)
				} else {
					t.Error(err)
				}
				return
			}
			served.Add(1)
			mu.Lock()
			open = append(open, s)
			mu.Unlock()
		})
	}
	wg.Wait()
	cancel()
	for _, s := range open {
		s.Close()
	}
	if served.Load() != 10 || refused.Load() != 90 {
		t.Errorf("served %d, refused %d; want 10 and 90", served.Load(), refused.Load())
	}
}

func TestCacheNeverCrossesTenants(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{cache: true})
	b.primary.SetDefault(providertest.Text("cached", " answer"))
	for _, tc := range []struct {
		tenant    string
		wantCalls int
		cached    bool
	}{{"acme", 1, false}, {"acme", 1, true}, {"globex", 2, false}, {"globex", 2, true}} {
		s, err := b.gw.Chat(as(t.Context(), tc.tenant), chatReq("same question"))
		if err != nil {
			t.Fatal(err)
		}
		var chunks int
		var text string
		for {
			c, err := s.Next()
			if err != nil {
				break
			}
			chunks++
			text += c.GetDeltaText()
		}
		s.Close()
		if text != "cached answer" || chunks < 2 || s.Cached() != tc.cached || len(b.primary.Requests()) != tc.wantCalls {
			t.Fatalf("%s: %q in %d chunks, cached %v, upstream calls %d", tc.tenant, text, chunks, s.Cached(), len(b.primary.Requests()))
		}
	}
}

// TestCacheHitIsARequestButUsesNoTokens: a cached answer counts against
// requests per minute (a tenant cannot get past its request limit by asking the
// same question) but reserves and settles no tokens and no cost.
func TestCacheHitIsARequestButUsesNoTokens(t *testing.T) {
	t.Parallel()
	minute := time.Date(2026, 12, 3, 12, 0, 1, 0, time.UTC) // the window never turns during the test
	b := setup(t, setupOpts{cache: true, clock: func() time.Time { return minute },
		// Each uncached request reserves 113 tokens (13 estimated in, 100 max out)
		// and settles at 15: two fit in 130 only if the cache hits between them
		// settle at zero.
		limits: quota.Config{Tenant: quota.Limits{RequestsPerMinute: 4, TokensPerMinute: 130}}})
	b.primary.SetDefault(providertest.Reply{Steps: []providertest.Step{{Text: "cached"}, {Text: " answer"}}, Usage: &aiv1.Usage{InputTokens: 10, OutputTokens: 5}})
	ctx := as(t.Context(), "acme")
	for i, tc := range []struct {
		question string
		cached   bool
		reason   string // of the refusal; "" for served
	}{
		{"same question", false, ""},
		{"same question", true, ""},
		{"same question", true, ""},
		{"other question", false, ""}, // 15 + 113 tokens ≤ 130: the hits took none
		{"same question", true, "REQUESTS_PER_MINUTE_EXCEEDED"},
	} {
		s, err := b.gw.Chat(ctx, chatReq(tc.question))
		if tc.reason != "" {
			if d := errs.From(err); d.Code != connect.CodeResourceExhausted || d.Reason != tc.reason {
				t.Fatalf("request %d: %v, want %s", i, err, tc.reason)
			}
			continue
		}
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		text, _, err := drain(s)
		s.Close()
		if err != nil || text != "cached answer" || s.Cached() != tc.cached {
			t.Fatalf("request %d: %q, %v, cached %v", i, text, err, s.Cached())
		}
	}
	if n := len(b.primary.Requests()); n != 2 {
		t.Errorf("upstream saw %d requests, want 2", n)
	}
}

func TestCallerCancelReachesUpstream(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	b.primary.Enqueue(providertest.Reply{Steps: []providertest.Step{{Text: "first"}}, Stall: true})
	ctx, cancel := context.WithCancel(as(t.Context(), "acme"))
	s, err := b.gw.Chat(ctx, chatReq("hi"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if c, err := s.Next(); err != nil || c.GetDeltaText() != "first" {
		t.Fatalf("first chunk %v, %v", c, err)
	}
	cancel()
	select {
	case <-b.primary.Canceled():
	case <-time.After(100 * time.Millisecond):
		t.Fatal("the upstream did not see the cancellation within 100ms")
	}
	if _, err := s.Next(); errs.From(err).Code != connect.CodeCanceled {
		t.Errorf("stream after cancel: %v", err)
	}
}
