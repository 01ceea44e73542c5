package gateway

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/proto"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/quota"
	"github.com/footingdev/footing/aigateway/router"
)

// A Stream is one call's answer. When it ends — at io.EOF, on an error, or when it
// is closed early — its usage is settled against the caller's budget, its cost is
// recorded, and a complete answer is cached. It is used by one goroutine; Close must
// be called.
type Stream struct {
	g        *Gateway
	ctx      context.Context
	span     trace.Span
	start    time.Time
	tenant   string
	alias    string
	provider string
	cached   bool

	up  upstream
	rs  *router.Stream
	res *quota.Reservation

	// inEstimate over-estimates the request's input tokens; outEstimate the output
	// tokens of the chunks returned so far. They are charged when a stream ends
	// before the provider reported that much (see charged).
	inEstimate, outEstimate int64

	// cacheKey is where a complete answer is cached; buf holds its chunks, bufBytes
	// their text (see textBytes). Past the cache's MaxAnswerBytes both are dropped.
	cacheKey string
	buf      []*aiv1.ChatChunk
	bufBytes int
	first    time.Duration
	finishes []aiv1.FinishReason
	usage    *aiv1.Usage
	model    string
	done     bool
	err      error
}

// Next returns the next chunk, or io.EOF after the last one. A failure after the
// first chunk ends the stream with a contracts/errs error; nothing is retried. A
// panic while reading the upstream ends it with an Internal error.
func (s *Stream) Next() (_ *aiv1.ChatChunk, err error) {
	if s.done {
		return nil, s.err
	}
	defer func() {
		if v := recover(); v != nil {
			err = s.recovered(v)
		}
	}()
	c, err := s.up.Next()
	if err != nil {
		s.end(err)
		return nil, s.err
	}
	if s.first == 0 {
		s.first = max(time.Since(s.start), 1)
	}
	n := textBytes(c)
	if n > 0 {
		s.outEstimate += int64(n)/3 + 1 // as estimateInput counts input
	}
	if c.FinishReason != aiv1.FinishReason_FINISH_REASON_UNSPECIFIED {
		s.finishes = append(s.finishes, c.FinishReason)
	}
	if c.Usage != nil {
		s.usage = c.Usage
	}
	if c.Model != "" {
		s.model = c.Model
	}
	if s.cacheKey != "" {
		s.bufBytes += n
		if s.bufBytes > s.g.cfg.Cache.MaxAnswerBytes() {
			s.cacheKey, s.buf = "", nil // too large to be cached: hold nothing more
		} else {
			s.buf = append(s.buf, c)
		}
	}
	return c, nil
}

// Close ends the stream; if it had not ended, the upstream request is cancelled and
// the usage reported so far is accounted. It is safe to call more than once.
func (s *Stream) Close() error {
	if !s.done {
		s.end(&provider.Error{Provider: s.provider, Kind: provider.KindCanceled, Message: "the caller went away"})
	}
	if s.up == nil {
		return nil
	}
	return s.up.Close()
}

// Provider is the name of the provider that answers ("cache" for a cached answer).
func (s *Stream) Provider() string { return s.provider }

// Model is the model that answers.
func (s *Stream) Model() string {
	if s.model != "" {
		return s.model
	}
	if s.rs != nil {
		return s.rs.Model()
	}
	return s.alias
}

// ID is the response id (the router's; empty for a cached answer until its first
// chunk).
func (s *Stream) ID() string {
	if s.rs != nil {
		return s.rs.ID()
	}
	return ""
}

// Cached reports whether the answer is replayed from the cache.
func (s *Stream) Cached() bool { return s.cached }

// Usage is the usage so far, priced.
func (s *Stream) Usage() *aiv1.Usage {
	if u := s.up.Usage(); u != nil {
		return u
	}
	return s.usage
}

func (s *Stream) end(err error) {
	s.done = true
	eof := errors.Is(err, io.EOF)
	if eof {
		s.err = io.EOF
	} else {
		s.err = connectError(err)
	}
	u := s.Usage()
	if !eof || (u.GetInputTokens() == 0 && u.GetOutputTokens() == 0) {
		u = s.charged(u)
	}
	if s.res != nil {
		used, cost := u.GetInputTokens()+u.GetOutputTokens(), u.GetCostNanosUsd()
		if s.cached {
			used, cost = 0, 0 // a replay carries the original usage; it used nothing upstream
		}
		s.settle(used, cost)
	}
	bg := context.WithoutCancel(s.ctx)
	// An answer that finished with ERROR (Gemini's MALFORMED_FUNCTION_CALL) failed,
	// however cleanly its stream ended: a retry must reach the provider again.
	if eof && s.cacheKey != "" && len(s.buf) > 0 && !slices.Contains(s.finishes, aiv1.FinishReason_FINISH_REASON_ERROR) {
		_ = s.g.cfg.Cache.Put(bg, s.cacheKey, s.buf)
	}
	s.buf = nil
	var endErr error
	if !eof {
		endErr = s.err
	}
	s.g.tel.end(s, u, endErr)
}

// settle settles the reservation even when the caller is gone (the tokens were
// spent). A store that failed every retry leaves the worst case reserved; the
// span says so (event footing.ai.settle_failed with the error's reason).
func (s *Stream) settle(used, cost int64) {
	if err := s.res.Settle(context.WithoutCancel(s.ctx), used, cost); err != nil {
		s.span.AddEvent(eventSettleFailed, trace.WithAttributes(attribute.String(attrErrorType, errs.From(err).Reason)))
	}
}

// charged is what a stream that ended early, or ended without reporting any
// usage, is charged: at least the input estimate (the provider's own count once it
// sent one) and the output it forwarded, priced at the target's prices. Providers
// report usage late — OpenAI only in its last chunk, Anthropic its output in
// message_delta, an OpenAI-compatible server not asked for stream usage never — so
// such a stream has reported little or nothing of what the upstream bills;
// settling only that would refund the whole reservation.
func (s *Stream) charged(u *aiv1.Usage) *aiv1.Usage {
	if s.rs == nil {
		return u // a cached answer, or no stream at all: nothing was used upstream
	}
	in := u.GetInputTokens()
	if in == 0 {
		in = s.inEstimate
	}
	out := max(u.GetOutputTokens(), s.outEstimate)
	if in == u.GetInputTokens() && out == u.GetOutputTokens() {
		return u
	}
	c := &aiv1.Usage{InputTokens: in, OutputTokens: out}
	if u != nil {
		c = proto.CloneOf(u)
		c.InputTokens, c.OutputTokens = in, out
	}
	c.CostNanosUsd = s.rs.Cost(c)
	return c
}

// textBytes is the size of c's text, tool names and arguments: what its output
// tokens are estimated from (a token per three bytes, plus one), and less than its
// size in the cache.
func textBytes(c *aiv1.ChatChunk) int {
	n := len(c.GetDeltaText())
	for _, d := range c.GetToolCallDeltas() {
		n += len(d.GetName()) + len(d.GetArgumentsDelta())
	}
	return n
}

var finishNames = map[aiv1.FinishReason]string{
	aiv1.FinishReason_FINISH_REASON_STOP:           "stop",
	aiv1.FinishReason_FINISH_REASON_LENGTH:         "length",
	aiv1.FinishReason_FINISH_REASON_TOOL_CALLS:     "tool_calls",
	aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER: "content_filter",
	aiv1.FinishReason_FINISH_REASON_ERROR:          "error",
}

// FinishName is the OpenAI and OpenTelemetry name of a finish reason ("stop",
// "length", "tool_calls", "content_filter", "error"); empty when unspecified.
func FinishName(r aiv1.FinishReason) string { return finishNames[r] }

// Collect reads s to its end and assembles the whole answer. Tool-call deltas
// with the same index make one call; calls are in the order their indexes first
// appeared. An index is the upstream's label, not a position: an OpenAI-compatible
// upstream chooses it, and a negative or huge one must not index or size anything.
func Collect(s *Stream) (*aiv1.CompleteResponse, error) {
	var text strings.Builder
	resp := &aiv1.CompleteResponse{}
	var (
		calls []*aiv1.ToolCall
		args  []*strings.Builder // calls[i]'s arguments, joined at the end
		pos   map[int32]int      // index → position in calls
	)
	for {
		c, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		resp.Id, resp.Model, resp.Provider = c.GetId(), c.GetModel(), c.GetProvider()
		text.WriteString(c.GetDeltaText())
		for _, d := range c.GetToolCallDeltas() {
			i, ok := pos[d.GetIndex()]
			if !ok {
				if pos == nil {
					pos = map[int32]int{}
				}
				i = len(calls)
				pos[d.GetIndex()] = i
				calls = append(calls, &aiv1.ToolCall{})
				args = append(args, &strings.Builder{})
			}
			tc := calls[i]
			if d.GetId() != "" {
				tc.Id = d.GetId()
			}
			if d.GetName() != "" {
				tc.Name = d.GetName()
			}
			args[i].WriteString(d.GetArgumentsDelta())
		}
		if c.GetFinishReason() != aiv1.FinishReason_FINISH_REASON_UNSPECIFIED {
			resp.FinishReason = c.GetFinishReason()
		}
		if c.GetUsage() != nil {
			resp.Usage = c.GetUsage()
		}
	}
	for i, tc := range calls {
		tc.Arguments = args[i].String()
	}
	msg := &aiv1.Message{Role: aiv1.Role_ROLE_ASSISTANT, ToolCalls: calls}
	if text.Len() > 0 {
		msg.Content = []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: text.String()}}}
	}
	resp.Message = msg
	return resp, nil
}
