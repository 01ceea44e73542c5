package router_test

import (
	"context"
	"io"
	"sync"
	"sync/atomic"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/provider"
)

// step is one thing a scripted stream does: yield a chunk, fail, or stall until
// its context is cancelled.
type step struct {
	chunk *aiv1.ChatChunk
	err   error
	stall bool
}

func text(s string) step { return step{chunk: &aiv1.ChatChunk{DeltaText: s}} }

func final(in, out int64) step {
	return step{chunk: &aiv1.ChatChunk{FinishReason: aiv1.FinishReason_FINISH_REASON_STOP, Usage: &aiv1.Usage{InputTokens: in, OutputTokens: out}}}
}

// call is the script of one Chat call: an error answer, or the stream's steps.
type call struct {
	err   error
	stall bool // stall before answering
	steps []step
}

// scripted is a Provider that plays one call script per Chat call (the last one
// repeats) and records how its calls ended.
type scripted struct {
	name  string
	mu    sync.Mutex
	calls []call
	n     atomic.Int32
	// canceled receives once per call whose context was cancelled while the
	// provider was still reading.
	canceled chan struct{}
}

func newScripted(name string, calls ...call) *scripted {
	return &scripted{name: name, calls: calls, canceled: make(chan struct{}, 100)}
}

func (p *scripted) Name() string { return p.name }

func (p *scripted) Chat(ctx context.Context, _ *aiv1.ChatRequest) (provider.Stream, error) {
	i := int(p.n.Add(1)) - 1
	p.mu.Lock()
	c := p.calls[min(i, len(p.calls)-1)]
	p.mu.Unlock()
	if c.stall {
		<-ctx.Done()
		p.canceled <- struct{}{}
		return nil, &provider.Error{Provider: p.name, Kind: provider.KindCanceled, Err: ctx.Err()}
	}
	if c.err != nil {
		return nil, c.err
	}
	return &scriptedStream{p: p, ctx: ctx, steps: c.steps}, nil
}

func (p *scripted) ListModels(context.Context) ([]*aiv1.Model, error) { return nil, nil }

func (p *scripted) Embed(context.Context, *aiv1.EmbedRequest) (*aiv1.EmbedResponse, error) {
	return nil, &provider.Error{Provider: p.name, Kind: provider.KindInvalidRequest}
}

type scriptedStream struct {
	p     *scripted
	ctx   context.Context
	steps []step
	usage *aiv1.Usage
}

func (s *scriptedStream) Next() (*aiv1.ChatChunk, error) {
	if len(s.steps) == 0 {
		return nil, io.EOF
	}
	st := s.steps[0]
	s.steps = s.steps[1:]
	switch {
	case st.stall:
		<-s.ctx.Done()
		s.p.canceled <- struct{}{}
		return nil, &provider.Error{Provider: s.p.name, Kind: provider.KindCanceled, Err: s.ctx.Err()}
	case st.err != nil:
		return nil, st.err
	}
	if st.chunk.Usage != nil {
		s.usage = st.chunk.Usage
	}
	return st.chunk, nil
}

func (s *scriptedStream) Usage() *aiv1.Usage { return s.usage }
func (s *scriptedStream) Close() error       { return nil }
