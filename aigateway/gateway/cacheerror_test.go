package gateway_test

import (
	"context"
	"io"
	"sync/atomic"
	"testing"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/gateway"
	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/respcache"
	"github.com/footingdev/footing/aigateway/router"
)

// finishing is a Provider whose every answer is one chunk of text, then a last
// chunk with finish reason and usage.
type finishing struct {
	finish aiv1.FinishReason
	calls  atomic.Int32
}

func (p *finishing) Name() string { return "finishing" }

func (p *finishing) Chat(context.Context, *aiv1.ChatRequest) (provider.Stream, error) {
	p.calls.Add(1)
	return &finishingStream{chunks: []*aiv1.ChatChunk{{DeltaText: "{\"x\": "},
		{FinishReason: p.finish, Usage: &aiv1.Usage{InputTokens: 5, OutputTokens: 3}}}}, nil
}

func (p *finishing) ListModels(context.Context) ([]*aiv1.Model, error) { return nil, nil }

func (p *finishing) Embed(context.Context, *aiv1.EmbedRequest) (*aiv1.EmbedResponse, error) {
	return nil, io.EOF
}

type finishingStream struct{ chunks []*aiv1.ChatChunk }

func (s *finishingStream) Next() (*aiv1.ChatChunk, error) {
	if len(s.chunks) == 0 {
		return nil, io.EOF
	}
	c := s.chunks[0]
	s.chunks = s.chunks[1:]
	return c, nil
}

func (s *finishingStream) Usage() *aiv1.Usage { return &aiv1.Usage{InputTokens: 5, OutputTokens: 3} }
func (s *finishingStream) Close() error       { return nil }

// TestFailedGenerationIsNotCached: an answer that ended with finish reason ERROR
// (Gemini's MALFORMED_FUNCTION_CALL: the model's tool call did not parse) failed,
// however cleanly its stream ended, and is not cached — it was, and every retry of
// the same request got the broken answer back for the cache's TTL without reaching
// the provider. Other finish reasons are cached as before.
func TestFailedGenerationIsNotCached(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		finish    aiv1.FinishReason
		wantCalls int32
	}{
		{aiv1.FinishReason_FINISH_REASON_ERROR, 2},
		{aiv1.FinishReason_FINISH_REASON_STOP, 1},
		{aiv1.FinishReason_FINISH_REASON_LENGTH, 1},
	} {
		p := &finishing{finish: tc.finish}
		r, err := router.New(router.Config{Routes: []router.Route{{Alias: "chat", Targets: []router.Target{{Provider: p, Model: "m"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		gw, err := gateway.New(gateway.Config{Router: r, Cache: respcache.New(respcache.NewMemoryStore(0, nil), respcache.Config{})})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			s, err := gw.Chat(as(t.Context(), "acme"), chatReq("call the tool"))
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := drain(s); err != nil {
				t.Fatal(err)
			}
			_ = s.Close()
		}
		if n := p.calls.Load(); n != tc.wantCalls {
			t.Errorf("finish %v: the provider was called %d times for two identical requests, want %d", tc.finish, n, tc.wantCalls)
		}
	}
}
