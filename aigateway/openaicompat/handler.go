package openaicompat

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"buf.build/go/protovalidate"
	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/gateway"
	"github.com/footingdev/footing/aigateway/provider"
)

// Handler serves OpenAI's chat completions and models endpoints. It is safe to use
// concurrently.
type Handler struct {
	gw        *gateway.Gateway
	mux       *http.ServeMux
	validator protovalidate.Validator
}

// New returns the handler for gw, serving POST /v1/chat/completions and GET
// /v1/models. Mount it at the root, or strip a prefix in front of it.
//
// A chat request is checked against the protovalidate rules of ai/v1's
// ChatRequest, as the Connect service's validation interceptor checks it, before
// anything is sent upstream; a broken rule is answered 400 invalid_request_error
// naming the OpenAI parameter.
func New(gw *gateway.Gateway, opts ...Option) *Handler {
	h := &Handler{gw: gw, mux: http.NewServeMux(), validator: protovalidate.GlobalValidator}
	for _, opt := range opts {
		opt(h)
	}
	h.mux.HandleFunc("POST /v1/chat/completions", h.chat)
	h.mux.HandleFunc("GET /v1/models", h.models)
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errs.NotFound("NO_SUCH_ENDPOINT", r.Method+" "+r.URL.Path+" is not served"))
	})
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func (h *Handler) chat(w http.ResponseWriter, r *http.Request) {
	req, raw, err := decodeRequest(r.Body, h.validator)
	if err != nil {
		writeError(w, err)
		return
	}
	ctx := r.Context()
	var fl *flusher
	if raw.Stream {
		fl = &flusher{rc: http.NewResponseController(w)}
		ctx = provider.WithReadHook(ctx, fl.flush)
	}
	s, err := h.gw.Chat(ctx, req)
	if err != nil {
		writeError(w, err)
		return
	}
	defer func() { _ = s.Close() }()
	if raw.Stream {
		h.stream(w, fl, s, raw.StreamOptions != nil && raw.StreamOptions.IncludeUsage)
		return
	}
	resp, err := gateway.Collect(s)
	if err != nil {
		writeError(w, err)
		return
	}
	msg := outMessage{Role: "assistant"}
	if c := resp.GetMessage().GetContent(); len(c) > 0 {
		msg.Content = new(c[0].GetText())
	}
	for _, tc := range resp.GetMessage().GetToolCalls() {
		call := toolCall{ID: tc.GetId(), Type: "function"}
		call.Function.Name, call.Function.Arguments = tc.GetName(), tc.GetArguments()
		msg.ToolCalls = append(msg.ToolCalls, call)
	}
	fr := gateway.FinishName(resp.GetFinishReason())
	writeJSON(w, http.StatusOK, completion{
		ID: resp.GetId(), Object: "chat.completion", Created: time.Now().Unix(), Model: resp.GetModel(),
		Choices: []choice{{Index: 0, Message: &msg, FinishReason: &fr}},
		Usage:   usageOf(resp.GetUsage()),
	})
}

// flusher flushes the response when something written is still buffered. It is
// the stream's read hook (see [provider.WithReadHook]): the events of chunks that
// reached the gateway together go out in one write, right before the gateway waits
// for the upstream again.
type flusher struct {
	rc      *http.ResponseController
	pending bool
	err     error
}

func (f *flusher) flush() {
	if !f.pending || f.err != nil {
		return
	}
	f.pending = false
	f.err = f.rc.Flush()
}

// stream writes the answer as OpenAI's server-sent events: one chat.completion.chunk
// per chunk, a usage-only chunk when asked for, then [DONE]. A failure after the
// first chunk is sent as an error event, as OpenAI does, and ends the stream.
//
// The first event is flushed at once; later ones when the upstream has nothing more
// ready (fl, the read hook). The last chunk (the one with the usage) is sent with
// the usage event and [DONE] before the stream is read to its end, so that the
// caller does not wait for the gateway's accounting and telemetry.
func (h *Handler) stream(w http.ResponseWriter, fl *flusher, s *gateway.Stream, includeUsage bool) {
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	created := time.Now().Unix()
	enc := newEventWriter(w)
	first := true
	var usage *aiv1.Usage
	var id, model string
	for {
		c, err := s.Next()
		if fl.err != nil {
			return // the caller went away; Close cancels the upstream
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			enc.event(errorBody(err))
			fl.pending = true
			fl.flush()
			return
		}
		id, model = c.GetId(), c.GetModel()
		if c.GetUsage() != nil {
			usage = c.GetUsage()
		}
		if h.writeChunk(enc, c, id, model, created, first) {
			fl.pending = true
			if first {
				first = false
				fl.flush()
			}
		}
		if c.GetUsage() != nil {
			// Every provider's last chunk, and only it, carries the usage: answer in
			// full now, then let the stream end (settle, record) after the caller
			// has everything.
			h.end(enc, fl, id, model, created, usage, includeUsage)
			for {
				if _, err := s.Next(); err != nil {
					return
				}
			}
		}
	}
	h.end(enc, fl, id, model, created, usage, includeUsage)
}

// writeChunk writes the chat.completion.chunk of c, and reports false when c has
// nothing to say (a usage-only chunk). Text and finish chunks are written straight
// from c; tool-call chunks are built as a completion and encoded.
func (h *Handler) writeChunk(enc *eventWriter, c *aiv1.ChatChunk, id, model string, created int64, first bool) bool {
	if len(c.GetToolCallDeltas()) > 0 {
		ev, ok := chunkEvent(c, id, model, created, first)
		if ok {
			enc.chunk(ev)
		}
		return ok
	}
	role := ""
	if first {
		role = "assistant"
	}
	fr := gateway.FinishName(c.GetFinishReason())
	if role == "" && c.GetDeltaText() == "" && fr == "" {
		return false
	}
	enc.text(id, model, created, role, c.GetDeltaText(), fr)
	return true
}

// chunkEvent is the chat.completion.chunk of c, or false when c has nothing to say
// (a usage-only chunk).
func chunkEvent(c *aiv1.ChatChunk, id, model string, created int64, first bool) (completion, bool) {
	d := delta{Content: c.GetDeltaText()}
	if first {
		d.Role = "assistant"
	}
	for _, tc := range c.GetToolCallDeltas() {
		call := toolCall{Index: new(int(tc.GetIndex())), ID: tc.GetId()}
		if tc.GetId() != "" || tc.GetName() != "" {
			call.Type = "function"
		}
		call.Function.Name, call.Function.Arguments = tc.GetName(), tc.GetArgumentsDelta()
		d.ToolCalls = append(d.ToolCalls, call)
	}
	ch := choice{Index: 0, Delta: &d}
	if fr := gateway.FinishName(c.GetFinishReason()); fr != "" {
		ch.FinishReason = &fr
	}
	if d.Role == "" && d.Content == "" && len(d.ToolCalls) == 0 && ch.FinishReason == nil {
		return completion{}, false
	}
	return completion{ID: id, Object: "chat.completion.chunk", Created: created, Model: model, Choices: []choice{ch}}, true
}

// end writes the usage event when asked for and [DONE], and flushes.
func (h *Handler) end(enc *eventWriter, fl *flusher, id, model string, created int64, u *aiv1.Usage, includeUsage bool) {
	if includeUsage {
		enc.event(completion{ID: id, Object: "chat.completion.chunk", Created: created, Model: model, Choices: []choice{}, Usage: usageOf(u)})
	}
	enc.done()
	fl.pending = true
	fl.flush()
}

func (h *Handler) models(w http.ResponseWriter, _ *http.Request) {
	list := modelList{Object: "list", Data: []model{}}
	for _, m := range h.gw.Models() {
		list.Data = append(list.Data, model{ID: m.GetId(), Object: "model", OwnedBy: m.GetProvider()})
	}
	writeJSON(w, http.StatusOK, list)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers err in OpenAI's error format, with the HTTP status of its
// code and a Retry-After header when it has one.
func writeError(w http.ResponseWriter, err error) {
	d := errs.From(err)
	if d.HasRetryAfter {
		w.Header().Set("Retry-After", itoa(int64((d.RetryAfter+time.Second-1)/time.Second)))
	}
	writeJSON(w, errs.HTTPStatus(d.Code), errorBody(err))
}

var errorTypes = map[connect.Code]string{
	connect.CodeInvalidArgument:    "invalid_request_error",
	connect.CodeNotFound:           "not_found_error",
	connect.CodeResourceExhausted:  "rate_limit_error",
	connect.CodeUnauthenticated:    "authentication_error",
	connect.CodePermissionDenied:   "permission_error",
	connect.CodeUnavailable:        "api_error",
	connect.CodeDeadlineExceeded:   "timeout_error",
	connect.CodeInternal:           "api_error",
	connect.CodeFailedPrecondition: "invalid_request_error",
}

func errorBody(err error) errorEnvelope {
	d := errs.From(err)
	t, ok := errorTypes[d.Code]
	if !ok {
		t = "api_error"
	}
	e := errorEnvelope{}
	e.Error.Message, e.Error.Type, e.Error.Code = d.Message, t, d.Reason
	if len(d.FieldViolations) > 0 {
		e.Error.Param = d.FieldViolations[0].GetField()
	}
	return e
}

func usageOf(u *aiv1.Usage) *usage {
	if u == nil {
		return nil
	}
	out := &usage{PromptTokens: u.GetInputTokens(), CompletionTokens: u.GetOutputTokens(), TotalTokens: u.GetInputTokens() + u.GetOutputTokens(), CostNanosUSD: u.GetCostNanosUsd()}
	out.PromptTokensDetails.CachedTokens = u.GetCacheReadTokens()
	out.CompletionTokensDetails.ReasoningTokens = u.GetReasoningTokens()
	return out
}
