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
	s, err := h.gw.Chat(r.Context(), req)
	if err != nil {
		writeError(w, err)
		return
	}
	defer func() { _ = s.Close() }()
	if raw.Stream {
		h.stream(w, s, raw.StreamOptions != nil && raw.StreamOptions.IncludeUsage)
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

// stream writes the answer as OpenAI's server-sent events: one chat.completion.chunk
// per chunk, a usage-only chunk when asked for, then [DONE]. A failure after the
// first chunk is sent as an error event, as OpenAI does, and ends the stream.
func (h *Handler) stream(w http.ResponseWriter, s *gateway.Stream, includeUsage bool) {
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	created := time.Now().Unix()
	enc := newEventWriter(w)
	first := true
	var usage *aiv1.Usage
	var id, model string
	for {
		c, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			enc.event(errorBody(err))
			_ = rc.Flush()
			return
		}
		id, model = c.GetId(), c.GetModel()
		if c.GetUsage() != nil {
			usage = c.GetUsage()
		}
		d := delta{Content: c.GetDeltaText()}
		if first {
			d.Role, first = "assistant", false
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
			continue // a usage-only chunk
		}
		enc.event(completion{ID: id, Object: "chat.completion.chunk", Created: created, Model: model, Choices: []choice{ch}})
		if err := rc.Flush(); err != nil {
			return
		}
	}
	if includeUsage {
		enc.event(completion{ID: id, Object: "chat.completion.chunk", Created: created, Model: model, Choices: []choice{}, Usage: usageOf(usage)})
	}
	enc.done()
	_ = rc.Flush()
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
