package router_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/router"
)

// fast is a configuration whose waits are short enough for tests.
func fast(routes ...router.Route) router.Config {
	return router.Config{
		Routes: routes, BackoffBase: time.Millisecond, BackoffMax: 2 * time.Millisecond,
		MaxRetryAfter: 50 * time.Millisecond, FirstChunkTimeout: 50 * time.Millisecond, IdleTimeout: 50 * time.Millisecond,
	}
}

type recorder struct {
	mu       sync.Mutex
	attempts []router.Attempt
}

func (r *recorder) Attempt(a router.Attempt) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts = append(r.attempts, a)
}

func (r *recorder) targets() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s []string
	for _, a := range r.attempts {
		k := "ok"
		if a.Err != nil {
			k = a.Err.Kind.String()
		}
		s = append(s, a.Target+":"+k)
	}
	return strings.Join(s, " ")
}

func chatReq(model string) *aiv1.ChatRequest {
	return &aiv1.ChatRequest{Model: model, Messages: []*aiv1.Message{{Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "hi"}}}}}}
}

// drain reads s to its end and returns its text and final error (nil at io.EOF).
func drain(t *testing.T, s *router.Stream) (string, *aiv1.ChatChunk, error) {
	t.Helper()
	var b strings.Builder
	var last *aiv1.ChatChunk
	for {
		c, err := s.Next()
		if errors.Is(err, io.EOF) {
			return b.String(), last, nil
		}
		if err != nil {
			return b.String(), last, err
		}
		b.WriteString(c.GetDeltaText())
		last = c
	}
}

func route(alias string, ps ...*scripted) router.Route {
	r := router.Route{Alias: alias}
	for i, p := range ps {
		r.Targets = append(r.Targets, router.Target{Provider: p, Model: "gpt-4o", Priority: i})
	}
	return r
}

func TestFallbackBeforeFirstChunk(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		first  call
		want   string
		kind   provider.Kind
		budget int // attempts on the failing target
	}{
		{"429", call{err: &provider.Error{Provider: "a", Kind: provider.KindRateLimited, StatusCode: 429}}, "a/gpt-4o:rate_limited a/gpt-4o:rate_limited b/gpt-4o:ok", provider.KindRateLimited, 2},
		{"5xx", call{err: &provider.Error{Provider: "a", Kind: provider.KindServer, StatusCode: 502}}, "a/gpt-4o:server a/gpt-4o:server b/gpt-4o:ok", provider.KindServer, 2},
		{"529 overloaded", call{err: &provider.Error{Provider: "a", Kind: provider.KindOverloaded, StatusCode: 529}}, "a/gpt-4o:overloaded a/gpt-4o:overloaded b/gpt-4o:ok", provider.KindOverloaded, 2},
		{"no answer", call{stall: true}, "a/gpt-4o:timeout a/gpt-4o:timeout b/gpt-4o:ok", provider.KindTimeout, 2},
		{"no first chunk", call{steps: []step{{stall: true}}}, "a/gpt-4o:timeout a/gpt-4o:timeout b/gpt-4o:ok", provider.KindTimeout, 2},
		{"error before first chunk", call{steps: []step{{err: &provider.Error{Provider: "a", Kind: provider.KindOverloaded}}}}, "a/gpt-4o:overloaded a/gpt-4o:overloaded b/gpt-4o:ok", provider.KindOverloaded, 2},
		{"empty stream", call{}, "a/gpt-4o:server a/gpt-4o:server b/gpt-4o:ok", provider.KindServer, 2},
		{"quota exhausted not retried", call{err: &provider.Error{Provider: "a", Kind: provider.KindQuotaExhausted, StatusCode: 429}}, "a/gpt-4o:quota_exhausted b/gpt-4o:ok", provider.KindQuotaExhausted, 1},
		{"auth not retried", call{err: &provider.Error{Provider: "a", Kind: provider.KindAuth, StatusCode: 401}}, "a/gpt-4o:auth b/gpt-4o:ok", provider.KindAuth, 1},
		{"retry-after too long falls back at once", call{err: &provider.Error{Provider: "a", Kind: provider.KindRateLimited, RetryAfter: time.Hour}}, "a/gpt-4o:rate_limited b/gpt-4o:ok", provider.KindRateLimited, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, b := newScripted("a", tc.first), newScripted("b", call{steps: []step{text("hello"), final(10, 2)}})
			rec := &recorder{}
			r, err := router.New(fast(route("chat", a, b)), router.WithObserver(rec))
			if err != nil {
				t.Fatal(err)
			}
			s, err := r.Chat(t.Context(), chatReq("chat"))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			got, last, err := drain(t, s)
			if err != nil || got != "hello" {
				t.Fatalf("got %q, %v", got, err)
			}
			if s.Provider() != "b" || s.Attempts() != tc.budget+1 {
				t.Errorf("served by %s after %d attempts", s.Provider(), s.Attempts())
			}
			if rec.targets() != tc.want {
				t.Errorf("attempts: %s, want %s", rec.targets(), tc.want)
			}
			if int(a.n.Load()) != tc.budget {
				t.Errorf("a called %d times, want %d", a.n.Load(), tc.budget)
			}
			// 10 input + 2 output tokens of gpt-4o.
			if c := last.GetUsage().GetCostNanosUsd(); c != 10*2500+2*10000 {
				t.Errorf("cost = %d", c)
			}
		})
	}
}

func TestNoFallbackAfterFirstChunk(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fail step
		kind provider.Kind
	}{
		{"error event", step{err: &provider.Error{Provider: "a", Kind: provider.KindOverloaded, Type: "overloaded_error"}}, provider.KindOverloaded},
		{"stalled stream", step{stall: true}, provider.KindTimeout},
		{"broken connection", step{err: io.ErrUnexpectedEOF}, provider.KindServer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newScripted("a", call{steps: []step{text("hello"), {chunk: &aiv1.ChatChunk{DeltaText: " wor", Usage: &aiv1.Usage{InputTokens: 100, OutputTokens: 7}}}, tc.fail}})
			b := newScripted("b", call{steps: []step{text("other"), final(1, 1)}})
			r, err := router.New(fast(route("chat", a, b)))
			if err != nil {
				t.Fatal(err)
			}
			s, err := r.Chat(t.Context(), chatReq("chat"))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			got, _, err := drain(t, s)
			var perr *provider.Error
			if !errors.As(err, &perr) || perr.Kind != tc.kind {
				t.Fatalf("stream ended with %v, want kind %v", err, tc.kind)
			}
			if got != "hello wor" || b.n.Load() != 0 {
				t.Errorf("got %q; fallback called %d times", got, b.n.Load())
			}
			u := s.Usage()
			if u.GetOutputTokens() != 7 || u.GetCostNanosUsd() != 100*2500+7*10000 {
				t.Errorf("partial usage %v", u)
			}
			if _, again := s.Next(); !errors.Is(again, err) {
				t.Errorf("Next after the end = %v, want %v", again, err)
			}
		})
	}
}

func TestInvalidRequestReturnsAtOnce(t *testing.T) {
	t.Parallel()
	a := newScripted("a", call{err: &provider.Error{Provider: "a", Kind: provider.KindInvalidRequest, StatusCode: 400, Message: "bad"}})
	b := newScripted("b", call{steps: []step{text("x")}})
	r, _ := router.New(fast(route("chat", a, b)))
	_, err := r.Chat(t.Context(), chatReq("chat"))
	var perr *provider.Error
	if !errors.As(err, &perr) || perr.Kind != provider.KindInvalidRequest || a.n.Load() != 1 || b.n.Load() != 0 {
		t.Fatalf("err %v; calls a=%d b=%d", err, a.n.Load(), b.n.Load())
	}
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	a := newScripted("a",
		call{err: &provider.Error{Provider: "a", Kind: provider.KindRateLimited, RetryAfter: 20 * time.Millisecond}},
		call{steps: []step{text("ok")}})
	rec := &recorder{}
	r, _ := router.New(fast(route("chat", a)), router.WithObserver(rec))
	s, err := r.Chat(t.Context(), chatReq("chat"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if w := rec.attempts[0].Wait; w < 20*time.Millisecond {
		t.Errorf("waited %v before the retry, want at least the retry-after 20ms", w)
	}
	if rec.targets() != "a/gpt-4o:rate_limited a/gpt-4o:ok" {
		t.Errorf("attempts %s", rec.targets())
	}
}

func TestUnknownAlias(t *testing.T) {
	t.Parallel()
	r, _ := router.New(fast(route("chat", newScripted("a", call{}))))
	_, err := r.Chat(t.Context(), chatReq("nope"))
	if d := errs.From(err); d.Code != connect.CodeNotFound || d.Reason != "MODEL_NOT_FOUND" {
		t.Fatalf("got %v", err)
	}
}

func TestCallerCancelCancelsUpstream(t *testing.T) {
	t.Parallel()
	a := newScripted("a", call{steps: []step{text("hello"), {stall: true}}})
	cfg := fast(route("chat", a))
	cfg.IdleTimeout = time.Hour
	r, _ := router.New(cfg)
	ctx, cancel := context.WithCancel(t.Context())
	s, err := r.Chat(ctx, chatReq("chat"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Next(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := s.Next(); done <- err }()
	cancel()
	select {
	case <-a.canceled:
	case <-time.After(5 * time.Second):
		t.Fatal("upstream never saw the cancellation")
	}
	var perr *provider.Error
	if err := <-done; !errors.As(err, &perr) || perr.Kind != provider.KindCanceled {
		t.Errorf("stream ended with %v, want canceled", err)
	}
}
