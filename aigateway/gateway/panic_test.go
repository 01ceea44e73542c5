package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"

	"github.com/footingdev/footing/aigateway/gateway"
	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/quota"
	"github.com/footingdev/footing/aigateway/router"
)

// panicky is a Provider that panics: in Chat when at is negative, else in its
// stream's Next for chunk number at (0 is the first).
type panicky struct{ at int }

const panicSecret = "decoder exploded at upstream-key-123"

func (p panicky) Name() string { return "panicky" }

func (p panicky) Chat(context.Context, *aiv1.ChatRequest) (provider.Stream, error) {
	if p.at < 0 {
		panic(panicSecret)
	}
	return &panickyStream{at: p.at}, nil
}

func (p panicky) ListModels(context.Context) ([]*aiv1.Model, error) { return nil, nil }

func (p panicky) Embed(context.Context, *aiv1.EmbedRequest) (*aiv1.EmbedResponse, error) {
	panic(panicSecret)
}

type panickyStream struct{ at, n int }

func (s *panickyStream) Next() (*aiv1.ChatChunk, error) {
	if s.n == s.at {
		panic(panicSecret)
	}
	s.n++
	return &aiv1.ChatChunk{DeltaText: "Hel"}, nil
}

func (s *panickyStream) Usage() *aiv1.Usage { return nil }
func (s *panickyStream) Close() error       { return nil }

// TestPanicBecomesInternal: a panic in the provider — starting the call, reading
// its first chunk, or mid-stream — reaches the caller as an Internal error with
// only an error id, the cause is logged under that id, the span ends with the
// error, and the reservation is settled: before, the panic went up the caller's
// stack with the worst case still reserved and the span never ended.
func TestPanicBecomesInternal(t *testing.T) {
	t.Parallel()
	// chatReq("hi") may use 9 + 100 tokens; the minute allows 120, so a second
	// request fits only once the first one's reservation is settled (at 0 when the
	// call failed before any chunk, at 9 + 2 after one chunk "Hel").
	tests := []struct {
		name      string
		at        int
		midStream bool
	}{
		{"in Chat", -1, false},
		{"at the first chunk", 0, false},
		{"mid-stream", 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := router.New(router.Config{Routes: []router.Route{{Alias: "chat", Targets: []router.Target{{Provider: panicky{at: tc.at}, Model: "gpt-4o-mini"}}}}})
			if err != nil {
				t.Fatal(err)
			}
			limits, err := quota.New(quota.NewMemoryStore(nil), quota.Config{Tenant: quota.Limits{TokensPerMinute: 120}})
			if err != nil {
				t.Fatal(err)
			}
			spans := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
			t.Cleanup(func() { tp.Shutdown(context.Background()) })
			var logs bytes.Buffer
			gw, err := gateway.New(gateway.Config{Router: r, Limiter: limits},
				gateway.WithTracerProvider(tp), gateway.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
			if err != nil {
				t.Fatal(err)
			}
			ctx := as(t.Context(), "acme")

			s, err := gw.Chat(ctx, chatReq("hi"))
			if tc.midStream {
				if err != nil {
					t.Fatal(err)
				}
				if c, err := s.Next(); err != nil || c.GetDeltaText() != "Hel" {
					t.Fatalf("first chunk: %v, %v", c, err)
				}
				_, err = s.Next()
				if _, again := s.Next(); !errors.Is(again, err) {
					t.Errorf("after the failure, Next returned %v, then %v", err, again)
				}
				s.Close()
			} else if s != nil {
				s.Close()
				t.Fatal("a stream was returned")
			}

			d := errs.From(err)
			ie, ok := errs.AsInternal(err)
			if d.Code != connect.CodeInternal || !ok {
				t.Fatalf("got %v, want Internal", err)
			}
			if strings.Contains(err.Error(), panicSecret) || !strings.Contains(ie.Cause.Error(), panicSecret) {
				t.Errorf("caller sees %q; server-side cause %v", err.Error(), ie.Cause)
			}
			var line struct {
				ErrorID string `json:"error_id"`
				Panic   string `json:"panic"`
				Stack   string `json:"stack"`
			}
			if err := json.Unmarshal(logs.Bytes(), &line); err != nil || line.ErrorID != ie.ID || line.Panic != panicSecret || !strings.Contains(line.Stack, "panic_test.go") {
				t.Errorf("log %q (%v), want the error id %s, the panic and its stack", logs.String(), err, ie.ID)
			}
			ended := spans.Ended()
			if len(ended) != 1 || ended[0].Status().Code != codes.Error {
				t.Fatalf("%d spans ended, want 1 with an error status", len(ended))
			}
			if _, err := limits.Reserve(ctx, &commonv1.Principal{TenantId: "acme"}, quota.Request{Tokens: 109}); err != nil {
				t.Errorf("the reservation was not settled: %v", err)
			}
		})
	}
}

// TestEmbedPanicBecomesInternal: a panic in a provider's Embed reaches the caller
// as an Internal error with only an error id, and the cause is logged under that
// id with the stack, as for chats. Before, the panic went up the caller's stack
// (a Connect handler's, where nothing recovered it).
func TestEmbedPanicBecomesInternal(t *testing.T) {
	t.Parallel()
	r, err := router.New(router.Config{Routes: []router.Route{{Alias: "emb", Targets: []router.Target{{Provider: panicky{}, Model: "text-embedding-3-small"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	gw, err := gateway.New(gateway.Config{Router: r}, gateway.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	var resp *aiv1.EmbedResponse
	v := func() (v any) {
		defer func() { v = recover() }()
		resp, err = gw.Embed(as(t.Context(), "acme"), &aiv1.EmbedRequest{Model: "emb", Inputs: []string{"hi"}})
		return nil
	}()
	if v != nil {
		t.Fatalf("the panic reached the caller: %v", v)
	}
	ie, ok := errs.AsInternal(err)
	if resp != nil || errs.From(err).Code != connect.CodeInternal || !ok {
		t.Fatalf("got %v, %v; want Internal", resp, err)
	}
	if strings.Contains(err.Error(), panicSecret) || !strings.Contains(ie.Cause.Error(), panicSecret) {
		t.Errorf("caller sees %q; server-side cause %v", err.Error(), ie.Cause)
	}
	var line struct {
		Msg     string `json:"msg"`
		ErrorID string `json:"error_id"`
		Panic   string `json:"panic"`
		Stack   string `json:"stack"`
	}
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil || line.ErrorID != ie.ID || line.Panic != panicSecret ||
		!strings.Contains(line.Stack, "panic_test.go") || line.Msg != "aigateway: panic in an embed call" {
		t.Errorf("log %q (%v), want the error id %s, the panic and its stack", logs.String(), err, ie.ID)
	}
}
