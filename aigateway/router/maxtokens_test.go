package router_test

import (
	"context"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/pricing"
	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/router"
)

// capturing records the request each Chat call sends upstream, then plays its
// script.
type capturing struct {
	*scripted
	mu   sync.Mutex
	reqs []*aiv1.ChatRequest
}

func (c *capturing) Chat(ctx context.Context, req *aiv1.ChatRequest) (provider.Stream, error) {
	c.mu.Lock()
	c.reqs = append(c.reqs, proto.CloneOf(req))
	c.mu.Unlock()
	return c.scripted.Chat(ctx, req)
}

// sent is the max_tokens of the i-th request c sent upstream: "none" when unset.
func (c *capturing) sent(t *testing.T, i int) string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if i >= len(c.reqs) {
		t.Fatalf("%s got %d requests, want at least %d", c.name, len(c.reqs), i+1)
	}
	if c.reqs[i].MaxTokens == nil {
		return "none"
	}
	return itoa(int64(c.reqs[i].GetMaxTokens()))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// maxTable prices three models: one whose maximum output is known, one priced
// without a maximum; "absent-model" is not in it at all.
func maxTable(t *testing.T) *pricing.Table {
	t.Helper()
	tab, err := pricing.Load(strings.NewReader(`{
		"known-max": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6, "max_output_tokens": 8192},
		"no-max": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// TestMaxTokensSentUpstream: the gateway reserves a request without max_tokens at
// the model's maximum output, or at the router's DefaultMaxTokens when the price
// table does not know the model's maximum — but the router sent such a request
// without a limit, so OpenAI and Gemini could generate more than was reserved and
// the settled usage overran budgets and token quotas. Now the router sends
// DefaultMaxTokens to a target whose maximum it does not know; a target whose
// maximum is known gets no limit (its own maximum bounds the answer), and a
// request's own positive max_tokens goes as it is. The caller's request is never
// changed. On the old code the unknown-maximum targets got no max_tokens.
func TestMaxTokensSentUpstream(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		def      int64  // router.Config.DefaultMaxTokens
		req      *int32 // the request's max_tokens
		want     string // sent to the unknown-maximum targets ("none": unset)
		wantKnwn string // sent to the known-maximum target
	}{
		{"absent, default", 0, nil, "4096", "none"},
		{"absent, configured", 1000, nil, "1000", "none"},
		{"absent, beyond int32", 1 << 40, nil, itoa(math.MaxInt32), "none"},
		{"the request's own", 1000, new(int32(100)), "100", "100"},
		{"the request's own, above the default", 1000, new(int32(5000)), "5000", "5000"},
		{"zero is no limit", 1000, new(int32(0)), "1000", "none"},
		{"negative is no limit", 1000, new(int32(-1)), "1000", "none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ps := map[string]*capturing{}
			var routes []router.Route
			for _, model := range []string{"known-max", "no-max", "absent-model"} {
				p := &capturing{scripted: newScripted("p-"+model, call{steps: []step{text("ok"), final(1, 1)}})}
				ps[model] = p
				routes = append(routes, router.Route{Alias: model, Targets: []router.Target{{Provider: p, Model: model}}})
			}
			cfg := fast(routes...)
			cfg.Prices = maxTable(t)
			cfg.DefaultMaxTokens = tc.def
			r, err := router.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			wantDef := min(tc.def, math.MaxInt32) // what the request field holds
			if wantDef == 0 {
				wantDef = 4096
			}
			if got := r.DefaultMaxTokens(); got != wantDef {
				t.Errorf("DefaultMaxTokens() = %d, want %d", got, wantDef)
			}
			for model, want := range map[string]string{"known-max": tc.wantKnwn, "no-max": tc.want, "absent-model": tc.want} {
				req := chatReq(model)
				req.MaxTokens = tc.req
				before := proto.CloneOf(req)
				s, err := r.Chat(t.Context(), req)
				if err != nil {
					t.Fatalf("%s: %v", model, err)
				}
				if _, _, err := drain(t, s); err != nil {
					t.Fatalf("%s: %v", model, err)
				}
				s.Close()
				if got := ps[model].sent(t, 0); got != want {
					t.Errorf("%s: sent max_tokens %s, want %s", model, got, want)
				}
				if !proto.Equal(req, before) || req.MaxTokens != tc.req {
					t.Errorf("%s: the caller's request was changed: %v, was %v", model, req, before)
				}
			}
		})
	}
}

// TestMaxTokensFollowTheTarget: each attempt gets the limit of its own target,
// so a request that falls back from a target whose maximum is unknown to one
// whose maximum is known is sent the default first and no limit then.
func TestMaxTokensFollowTheTarget(t *testing.T) {
	t.Parallel()
	a := &capturing{scripted: newScripted("a", call{err: &provider.Error{Provider: "a", Kind: provider.KindOverloaded, StatusCode: 529}})}
	b := &capturing{scripted: newScripted("b", call{steps: []step{text("ok"), final(1, 1)}})}
	cfg := fast(router.Route{Alias: "chat", Targets: []router.Target{
		{Provider: a, Model: "absent-model"},
		{Provider: b, Model: "known-max", Priority: 1},
	}})
	cfg.Prices = maxTable(t)
	cfg.MaxAttempts = 1
	r, err := router.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := r.Chat(t.Context(), chatReq("chat"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := a.sent(t, 0); got != "4096" {
		t.Errorf("the unknown-maximum target was sent max_tokens %s, want 4096", got)
	}
	if got := b.sent(t, 0); got != "none" {
		t.Errorf("the known-maximum target was sent max_tokens %s, want none", got)
	}
}

// TestNegativeDefaultMaxTokensRefused: a negative DefaultMaxTokens is reported
// with the configuration's other problems.
func TestNegativeDefaultMaxTokensRefused(t *testing.T) {
	t.Parallel()
	_, err := router.New(router.Config{DefaultMaxTokens: -1, MaxAttempts: -1})
	d := errs.From(err)
	if d.Code != connect.CodeInvalidArgument || len(d.FieldViolations) != 2 {
		t.Fatalf("got %v with %d violations, want 2", err, len(d.FieldViolations))
	}
	found := false
	for _, v := range d.FieldViolations {
		found = found || v.GetField() == "default_max_tokens"
	}
	if !found || !strings.Contains(err.Error(), "default_max_tokens must not be negative") {
		t.Errorf("got %v, want default_max_tokens named", err)
	}
}
