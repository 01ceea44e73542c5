package router_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"

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
