package router

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"sync/atomic"
	"time"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	"google.golang.org/protobuf/proto"

	"github.com/footingdev/footing/aigateway/provider"
)

// A Stream is the answer of the target that served a request. Chunks carry the
// gateway's response id, the model that answered, the provider's name, and — on the
// last chunk — the whole request's usage priced in nano-USD. It is used by one
// goroutine; Close must be called.
type Stream struct {
	router   *Router
	target   *target
	permit   permit // the breaker's, for the stream's outcome
	alias    string
	parent   context.Context
	ctx      context.Context
	cancel   context.CancelCauseFunc
	timer    *time.Timer // first-chunk, then idle, timeout
	deadline *time.Timer // attempt timeout
	idle     atomic.Bool
	up       provider.Stream
	first    *aiv1.ChatChunk
	id       string
	model    string
	attempts int
	done     bool
	err      error
}

// Next returns the next chunk, or io.EOF after the last one. A failure returns a
// *provider.Error (KindTimeout when one of the router's timeouts fired, KindCanceled
// when the caller went away); [Stream.Usage] then still reports the usage so far.
// Nothing is retried once a chunk has been returned.
func (s *Stream) Next() (*aiv1.ChatChunk, error) {
	if s.done {
		return nil, s.err
	}
	c := s.first
	if c != nil {
		s.first = nil
	} else {
		s.timer.Reset(s.router.cfg.IdleTimeout)
		var err error
		if c, err = s.up.Next(); err != nil {
			return nil, s.finish(err)
		}
	}
	c.Id = s.id
	if c.Model == "" {
		c.Model = s.target.Model
	}
	s.model = c.Model
	c.Provider = s.target.Provider.Name()
	if c.Usage != nil {
		boundUsage(c.Usage)
		c.Usage.CostNanosUsd = s.Cost(c.Usage)
	}
	return c, nil
}

// MaxReportedTokens bounds each token count of a usage the router passes on:
// far above any request's, and low enough that sums of a few never overflow.
const MaxReportedTokens = 1 << 40

// boundUsage holds u's token counts, as the upstream reported them, to [0,
// MaxReportedTokens]. A negative count, from a buggy or hostile upstream, settled
// as sent refunded more than was reserved; two near the int64 limit summed to a
// negative.
func boundUsage(u *aiv1.Usage) {
	for _, n := range []*int64{&u.InputTokens, &u.OutputTokens, &u.CacheReadTokens, &u.CacheWriteTokens, &u.ReasoningTokens} {
		*n = min(max(*n, 0), MaxReportedTokens)
	}
}

func (s *Stream) finish(err error) error {
	s.done = true
	if errors.Is(err, io.EOF) {
		s.err = io.EOF
		s.target.breaker.done(s.router.now(), s.permit, nil)
	} else {
		perr := s.classify(err)
		s.target.breaker.done(s.router.now(), s.permit, perr)
		s.err = perr
	}
	s.stop()
	return s.err
}

// Usage is the usage reported so far, its counts bounded as the chunks' are (see
// [MaxReportedTokens]) and priced; nil before any was reported.
func (s *Stream) Usage() *aiv1.Usage {
	u := s.up.Usage()
	if u == nil {
		return nil
	}
	u = proto.CloneOf(u)
	boundUsage(u)
	u.CostNanosUsd = s.Cost(u)
	return u
}

// Cost prices u in nano-USD at the prices of the target that serves the stream; 0
// when the price table does not know them. Of u's cache writes, those the
// provider reported as 1-hour writes so far ([provider.CacheWrite1hReporter]) are
// priced as such.
func (s *Stream) Cost(u *aiv1.Usage) int64 {
	p, ok := s.router.cfg.Prices.Lookup(s.target.Provider.Name(), s.target.Model)
	if !ok {
		return 0
	}
	var writes1h int64
	if r, ok := s.up.(provider.CacheWrite1hReporter); ok {
		writes1h = r.CacheWrite1hTokens()
	}
	return p.CostWith1hWrites(u, writes1h)
}

// ID is the gateway's response id, stamped on every chunk.
func (s *Stream) ID() string { return s.id }

// Alias is the route the request named.
func (s *Stream) Alias() string { return s.alias }

// Target is the name of the target that serves the stream.
func (s *Stream) Target() string { return s.target.name }

// Provider is the name of the provider that serves the stream.
func (s *Stream) Provider() string { return s.target.Provider.Name() }

// Model is the model that answered: the provider's own answer once a chunk said
// so, else the target's model.
func (s *Stream) Model() string {
	if s.model != "" {
		return s.model
	}
	return s.target.Model
}

// Attempts is how many attempts the request took, this one included.
func (s *Stream) Attempts() int { return s.attempts }

// Close cancels the upstream request if it is still running and releases it. It is
// safe to call more than once.
func (s *Stream) Close() error {
	if !s.done {
		s.done = true
		s.err = &provider.Error{Provider: s.target.Provider.Name(), Kind: provider.KindCanceled, Message: "the stream was closed"}
	}
	return s.release()
}

func (s *Stream) stop() {
	s.timer.Stop()
	s.deadline.Stop()
}

func (s *Stream) release() error {
	s.stop()
	s.cancel(context.Canceled)
	if s.up == nil {
		return nil
	}
	return s.up.Close()
}

// classify turns err into a *provider.Error, blaming the router's timeouts and the
// caller's cancellation where they caused it.
func (s *Stream) classify(err error) *provider.Error {
	name := s.target.Provider.Name()
	if cause := context.Cause(s.ctx); cause != nil {
		switch {
		case errors.Is(cause, errFirstChunkTimeout), errors.Is(cause, errIdleTimeout), errors.Is(cause, errAttemptTimeout):
			return &provider.Error{Provider: name, Kind: provider.KindTimeout, Message: cause.Error()}
		case s.parent.Err() != nil:
			return &provider.Error{Provider: name, Kind: provider.KindCanceled, Err: s.parent.Err()}
		}
	}
	var perr *provider.Error
	if errors.As(err, &perr) {
		c := *perr
		return &c
	}
	return &provider.Error{Provider: name, Kind: provider.KindServer, Err: err}
}

func newID() string {
	var b [12]byte
	for i := 0; i < len(b); i += 4 {
		v := rand.Uint32() //nolint:gosec // a response id, not a secret
		b[i], b[i+1], b[i+2], b[i+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	return "chatcmpl-" + hex.EncodeToString(b[:])
}
