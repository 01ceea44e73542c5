package router_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/router"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestBreakerOpensAndProbes(t *testing.T) {
	t.Parallel()
	fail := call{err: &provider.Error{Provider: "a", Kind: provider.KindServer, StatusCode: 500}}
	a := newScripted("a", fail, fail, fail, call{steps: []step{text("back")}})
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	cfg := fast(route("chat", a))
	cfg.MaxAttempts = 1
	cfg.Breaker = router.BreakerConfig{Failures: 2, OpenFor: time.Minute}
	r, _ := router.New(cfg, router.WithClock(clk.Now))

	for range 2 {
		if _, err := r.Chat(t.Context(), chatReq("chat")); err == nil {
			t.Fatal("a failing target served")
		}
	}
	// Open: the target is not called at all.
	_, err := r.Chat(t.Context(), chatReq("chat"))
	if d := errs.From(err); d.Code != connect.CodeUnavailable || d.Reason != "NO_TARGET_AVAILABLE" || d.RetryAfter != time.Minute {
		t.Fatalf("open breaker: %v (retry after %v)", err, d.RetryAfter)
	}
	if a.n.Load() != 2 {
		t.Fatalf("target called %d times while open", a.n.Load())
	}
	// Half-open: one probe goes through; it fails, and the breaker opens again.
	clk.Advance(time.Minute)
	var perr *provider.Error
	if _, err := r.Chat(t.Context(), chatReq("chat")); !errors.As(err, &perr) {
		t.Fatalf("probe: %v", err)
	}
	if _, err := r.Chat(t.Context(), chatReq("chat")); errs.From(err).Reason != "NO_TARGET_AVAILABLE" {
		t.Fatalf("after a failed probe: %v", err)
	}
	// The next probe succeeds and closes the breaker.
	clk.Advance(time.Minute)
	for range 2 {
		s, err := r.Chat(t.Context(), chatReq("chat"))
		if err != nil {
			t.Fatalf("after recovery: %v", err)
		}
		s.Close()
	}
	if a.n.Load() != 5 {
		t.Errorf("target called %d times, want 5", a.n.Load())
	}
}

func TestBreakerIgnoresCallerFaults(t *testing.T) {
	t.Parallel()
	a := newScripted("a", call{err: &provider.Error{Provider: "a", Kind: provider.KindInvalidRequest, StatusCode: 400}})
	cfg := fast(route("chat", a))
	cfg.Breaker = router.BreakerConfig{Failures: 1}
	r, _ := router.New(cfg)
	for range 3 {
		var perr *provider.Error
		if _, err := r.Chat(t.Context(), chatReq("chat")); !errors.As(err, &perr) || perr.Kind != provider.KindInvalidRequest {
			t.Fatalf("got %v, want the invalid request back", err)
		}
	}
}

func TestWeightsAndPriorities(t *testing.T) {
	t.Parallel()
	heavy := newScripted("heavy", call{steps: []step{text("x")}})
	light := newScripted("light", call{steps: []step{text("x")}})
	backup := newScripted("backup", call{steps: []step{text("x")}})
	r, err := router.New(fast(router.Route{Alias: "chat", Targets: []router.Target{
		{Provider: backup, Model: "m", Priority: 1, Weight: 1000},
		{Provider: heavy, Model: "m", Weight: 9},
		{Provider: light, Model: "m", Weight: 1},
	}}))
	if err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		s, err := r.Chat(t.Context(), chatReq("chat"))
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	h, l := heavy.n.Load(), light.n.Load()
	if backup.n.Load() != 0 || h+l != 1000 || h < 800 || l < 40 {
		t.Errorf("heavy %d, light %d, backup %d: want about 900/100/0", h, l, backup.n.Load())
	}
}

func TestConfigValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	a := newScripted("a", call{})
	err := router.Config{
		Routes: []router.Route{
			{Alias: "", Targets: []router.Target{{Provider: a}}},
			{Alias: "x"},
			{Alias: "x", Targets: []router.Target{{Provider: a, Model: "m"}, {Provider: a, Model: "m"}, {Model: "m", Weight: -1}}},
		},
		IdleTimeout: -1,
	}.Validate()
	d := errs.From(err)
	if d.Code != connect.CodeInvalidArgument || len(d.FieldViolations) != 7 {
		t.Fatalf("got %v with %d violations", err, len(d.FieldViolations))
	}
	if _, err := router.New(router.Config{}); err != nil {
		t.Errorf("zero config: %v", err)
	}
}

// entering signals on in each time Chat is called, before the wrapped provider
// answers.
type entering struct {
	*scripted
	in chan struct{}
}

func (e entering) Chat(ctx context.Context, req *aiv1.ChatRequest) (provider.Stream, error) {
	e.in <- struct{}{}
	return e.scripted.Chat(ctx, req)
}

// TestStaleOutcomeFreesNoProbe: a request let through while the breaker was closed
// that ends (here as an invalid request) while the breaker is half-open says
// nothing about the probe; before, it gave back the probe's slot and a second
// probe ran next to the first.
func TestStaleOutcomeFreesNoProbe(t *testing.T) {
	t.Parallel()
	invalid := &provider.Error{Provider: "a", Kind: provider.KindInvalidRequest, StatusCode: 400}
	fail := call{err: &provider.Error{Provider: "a", Kind: provider.KindServer, StatusCode: 500}}
	a := entering{newScripted("a",
		call{steps: []step{text("old"), {err: invalid}}}, // granted while closed
		fail, fail, // open the breaker
		call{stall: true}, // the probe, until its caller leaves
		call{steps: []step{text("back")}},
	), make(chan struct{}, 10)}
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	cfg := fast(router.Route{Alias: "chat", Targets: []router.Target{{Provider: a, Model: "gpt-4o"}}})
	cfg.FirstChunkTimeout, cfg.IdleTimeout, cfg.AttemptTimeout = time.Hour, time.Hour, time.Hour // only the test ends calls
	cfg.MaxAttempts = 1
	cfg.Breaker = router.BreakerConfig{Failures: 2, OpenFor: time.Minute, Probes: 1}
	r, err := router.New(cfg, router.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}

	old, err := r.Chat(t.Context(), chatReq("chat"))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	<-a.in
	for range 2 {
		if _, err := r.Chat(t.Context(), chatReq("chat")); err == nil {
			t.Fatal("a failing target served")
		}
		<-a.in
	}
	clk.Advance(time.Minute)

	// The one probe is in the provider.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	probe := make(chan error, 1)
	go func() {
		_, err := r.Chat(ctx, chatReq("chat"))
		probe <- err
	}()
	<-a.in

	// The request granted while closed ends now, as an invalid request.
	if _, err := old.Next(); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Next(); !errors.As(err, new(*provider.Error)) {
		t.Fatalf("old request's end: %v", err)
	}
	// The probe's slot is still taken.
	if s, err := r.Chat(t.Context(), chatReq("chat")); errs.From(err).Reason != "NO_TARGET_AVAILABLE" {
		if s != nil {
			s.Close()
		}
		t.Fatalf("a second probe while the first runs: %v (target called %d times, want 4)", err, a.n.Load())
	}

	// The probe's own end (its caller left) gives its slot back.
	cancel()
	if err := <-probe; !errors.As(err, new(*provider.Error)) {
		t.Fatalf("probe: %v", err)
	}
	s, err := r.Chat(t.Context(), chatReq("chat"))
	if err != nil {
		t.Fatalf("the next probe: %v", err)
	}
	s.Close()
	<-a.in
	if a.n.Load() != 5 {
		t.Errorf("target called %d times, want 5", a.n.Load())
	}
}

// panicking is a Provider whose first call fails, whose second panics (in Chat,
// or in its stream's first Next) and whose later calls answer.
type panicking struct {
	inChat bool
	n      atomic.Int32
	closed atomic.Bool // the panicking stream was closed
}

func (p *panicking) Name() string { return "p" }

func (p *panicking) Chat(ctx context.Context, _ *aiv1.ChatRequest) (provider.Stream, error) {
	switch p.n.Add(1) {
	case 1:
		return nil, &provider.Error{Provider: "p", Kind: provider.KindServer, StatusCode: 500}
	case 2:
		if p.inChat {
			panic("provider bug")
		}
		return panickingStream{p}, nil
	}
	return &scriptedStream{p: newScripted("p"), ctx: ctx, steps: []step{text("back")}}, nil
}

func (p *panicking) ListModels(context.Context) ([]*aiv1.Model, error) { return nil, nil }

func (p *panicking) Embed(context.Context, *aiv1.EmbedRequest) (*aiv1.EmbedResponse, error) {
	return nil, &provider.Error{Provider: "p", Kind: provider.KindInvalidRequest}
}

type panickingStream struct{ p *panicking }

func (s panickingStream) Next() (*aiv1.ChatChunk, error) { panic("decoder bug") }
func (s panickingStream) Usage() *aiv1.Usage             { return nil }
func (s panickingStream) Close() error                   { s.p.closed.Store(true); return nil }

// TestPanickingProbeFreesItsSlot: a half-open probe whose provider panics counts
// as a failure (the breaker opens again and lets the next probe through after
// OpenFor), and the attempt's upstream is closed; the panic still reaches the
// caller. Before, the probe's slot stayed taken and the target was refused for good.
func TestPanickingProbeFreesItsSlot(t *testing.T) {
	t.Parallel()
	for _, inChat := range []bool{true, false} {
		t.Run(fmt.Sprintf("inChat=%v", inChat), func(t *testing.T) {
			t.Parallel()
			p := &panicking{inChat: inChat}
			clk := &clock{now: time.Unix(1_700_000_000, 0)}
			cfg := fast(router.Route{Alias: "chat", Targets: []router.Target{{Provider: p, Model: "gpt-4o"}}})
			cfg.FirstChunkTimeout, cfg.IdleTimeout, cfg.AttemptTimeout = time.Hour, time.Hour, time.Hour
			cfg.MaxAttempts = 1
			cfg.Breaker = router.BreakerConfig{Failures: 1, OpenFor: time.Minute, Probes: 1}
			r, err := router.New(cfg, router.WithClock(clk.Now))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Chat(t.Context(), chatReq("chat")); err == nil {
				t.Fatal("a failing target served")
			}
			clk.Advance(time.Minute)
			v := func() (v any) {
				defer func() { v = recover() }()
				s, _ := r.Chat(t.Context(), chatReq("chat"))
				if s != nil {
					s.Close()
				}
				return nil
			}()
			if v == nil {
				t.Fatal("the provider's panic did not reach the caller")
			}
			if !inChat && !p.closed.Load() {
				t.Error("the panicking attempt's upstream was not closed")
			}
			// The panic was the probe's failure: open again, for OpenFor.
			if _, err := r.Chat(t.Context(), chatReq("chat")); errs.From(err).Reason != "NO_TARGET_AVAILABLE" || errs.From(err).RetryAfter != time.Minute {
				t.Fatalf("after the probe panicked: %v (retry after %v)", err, errs.From(err).RetryAfter)
			}
			clk.Advance(time.Minute)
			s, err := r.Chat(t.Context(), chatReq("chat"))
			if err != nil {
				t.Fatalf("the next probe: %v", err)
			}
			s.Close()
		})
	}
}

// panickingEmbedder is a Provider whose first Embed fails, whose second panics
// and whose later ones answer.
type panickingEmbedder struct {
	panicking
	embeds atomic.Int32
}

func (p *panickingEmbedder) Embed(context.Context, *aiv1.EmbedRequest) (*aiv1.EmbedResponse, error) {
	switch p.embeds.Add(1) {
	case 1:
		return nil, &provider.Error{Provider: "p", Kind: provider.KindServer, StatusCode: 500}
	case 2:
		panic("provider bug")
	}
	return &aiv1.EmbedResponse{Embeddings: []*aiv1.Embedding{{Values: []float32{1}}}}, nil
}

// TestPanickingEmbedProbeFreesItsSlot: as for chats, a half-open probe whose
// Embed panics counts as the target's failure and gives its slot back; the panic
// still reaches the caller. Before, Embed did not release the probe's permit, so
// the target was refused for good after one panic.
func TestPanickingEmbedProbeFreesItsSlot(t *testing.T) {
	t.Parallel()
	p := &panickingEmbedder{}
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	cfg := fast(router.Route{Alias: "emb", Targets: []router.Target{{Provider: p, Model: "text-embedding-3-small"}}})
	cfg.Breaker = router.BreakerConfig{Failures: 1, OpenFor: time.Minute, Probes: 1}
	r, err := router.New(cfg, router.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	req := &aiv1.EmbedRequest{Model: "emb", Inputs: []string{"hi"}}
	if _, err := r.Embed(t.Context(), req); err == nil {
		t.Fatal("a failing target served")
	}
	clk.Advance(time.Minute)
	v := func() (v any) {
		defer func() { v = recover() }()
		_, _ = r.Embed(t.Context(), req)
		return nil
	}()
	if v == nil {
		t.Fatal("the provider's panic did not reach the caller")
	}
	if _, err := r.Embed(t.Context(), req); errs.From(err).Reason != "NO_TARGET_AVAILABLE" {
		t.Fatalf("after the probe panicked: %v", err)
	}
	clk.Advance(time.Minute)
	if resp, err := r.Embed(t.Context(), req); err != nil || len(resp.GetEmbeddings()) != 1 {
		t.Fatalf("the next probe: %v, %v", resp, err)
	}
}
