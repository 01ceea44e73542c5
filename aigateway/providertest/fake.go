package providertest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/footingdev/footing/aigateway/provider"
)

// A Wire is one of the wire protocols a [Fake] speaks.
type Wire int

// The wire protocols.
const (
	// OpenAI is the Chat Completions API (and every OpenAI-compatible server).
	OpenAI Wire = iota + 1
	// Anthropic is the Messages API.
	Anthropic
	// Gemini is the Gemini API's generateContent family.
	Gemini
)

func (w Wire) String() string {
	switch w {
	case OpenAI:
		return "openai"
	case Anthropic:
		return "anthropic"
	case Gemini:
		return "gemini"
	}
	return "wire(" + strconv.Itoa(int(w)) + ")"
}

// APIKey is the key every [Fake] accepts unless its APIKey field is changed.
const APIKey = "sk-test-4f3c2a1b0e9d8c7b"

// A Request is a request a [Fake] received, as it arrived.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
	// Model is the model the request named (in its body, or Gemini's path).
	Model string
}

// A Fake is an in-process server that speaks one provider's wire format. Script
// it with [Fake.Enqueue]; unscripted requests get the default reply, a short text.
// It is safe for concurrent use.
type Fake struct {
	// APIKey is the key the fake accepts; requests with another get the
	// provider's authentication error. Set it before the first request.
	APIKey string
	// Models are the ids ListModels returns.
	Models []string

	wire     Wire
	render   renderer
	srv      *httptest.Server
	done     chan struct{}
	canceled chan Request

	conns atomic.Int64

	mu    sync.Mutex
	queue []Reply
	def   Reply
	reqs  []Request
}

// NewOpenAI starts a fake OpenAI Chat Completions server, closed at the end of t.
func NewOpenAI(t testing.TB) *Fake { return New(t, OpenAI) }

// NewAnthropic starts a fake Anthropic Messages server, closed at the end of t.
func NewAnthropic(t testing.TB) *Fake { return New(t, Anthropic) }

// NewGemini starts a fake Gemini server, closed at the end of t.
func NewGemini(t testing.TB) *Fake { return New(t, Gemini) }

// New starts a fake server for wire, closed at the end of t.
func New(t testing.TB, wire Wire) *Fake {
	t.Helper()
	f, err := Start(wire)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

// Start starts a fake server for wire; the caller closes it. Tests use [New].
func Start(wire Wire) (*Fake, error) {
	f, err := newFake(wire)
	if err != nil {
		return nil, err
	}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			f.conns.Add(1)
		}
	}
	f.srv.Start()
	return f, nil
}

func newFake(wire Wire) (*Fake, error) {
	f := &Fake{
		APIKey:   APIKey,
		wire:     wire,
		done:     make(chan struct{}),
		canceled: make(chan Request, 256),
		def:      Text("Hello", ", world"),
	}
	switch wire {
	case OpenAI:
		f.render = openaiWire{}
		f.Models = []string{"gpt-4o-mini", "text-embedding-3-small"}
	case Anthropic:
		f.render = anthropicWire{}
		f.Models = []string{"claude-sonnet-4-5", "claude-haiku-4-5"}
	case Gemini:
		f.render = geminiWire{}
		f.Models = []string{"gemini-2.5-flash", "gemini-embedding-001"}
	default:
		return nil, fmt.Errorf("providertest: unknown wire %d", wire)
	}
	return f, nil
}

// Wire returns the protocol the fake speaks.
func (f *Fake) Wire() Wire { return f.wire }

// BaseURL is the URL a provider is configured with, as the real API's base URL is
// written: with "/v1" for OpenAI, without for Anthropic, with "/v1beta" for Gemini.
func (f *Fake) BaseURL() string { return f.srv.URL + f.render.basePath() }

// URL is the server's root URL.
func (f *Fake) URL() string { return f.srv.URL }

// Enqueue adds replies, served to the following chat requests in order.
func (f *Fake) Enqueue(replies ...Reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = append(f.queue, replies...)
}

// SetDefault sets the reply to chat requests when the queue is empty.
func (f *Fake) SetDefault(r Reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.def = r
}

// Requests returns the requests received so far, in order.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.reqs...)
}

// Conns returns how many connections clients opened to the fake.
func (f *Fake) Conns() int { return int(f.conns.Load()) }

// Canceled receives a request each time its client went away (its context was
// cancelled) before the fake finished answering it.
func (f *Fake) Canceled() <-chan Request { return f.canceled }

// Close stops the server, ending any stalled answers. It is called at the end of
// the test that made the fake; calling it again does nothing.
func (f *Fake) Close() {
	f.mu.Lock()
	select {
	case <-f.done:
		f.mu.Unlock()
		return
	default:
		close(f.done)
	}
	f.mu.Unlock()
	f.srv.Close()
}

func (f *Fake) next() Reply {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.queue) == 0 {
		return f.def
	}
	r := f.queue[0]
	f.queue = f.queue[1:]
	return r
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	req := Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body}
	ep, model := f.render.route(r.Method, r.URL.Path)
	if model == "" {
		model = modelOf(body)
	}
	req.Model = model
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()

	if ep == epUnknown {
		f.fail(w, &Failure{Kind: provider.KindNotFound, Message: "no route for " + r.Method + " " + r.URL.Path}, model)
		return
	}
	if !f.render.authorized(r.Header, f.APIKey) {
		f.fail(w, &Failure{Kind: provider.KindAuth}, model)
		return
	}
	switch ep {
	case epModels:
		writeJSON(w, f.render.models(f.Models))
		return
	case epEmbed:
		b, fl := f.render.embed(body, r.URL.Path)
		if fl != nil {
			f.fail(w, fl, model)
			return
		}
		writeJSON(w, b)
		return
	}
	reply := f.next()
	if reply.Failure != nil {
		f.fail(w, reply.Failure, model)
		return
	}
	if reply.Model != "" {
		model = reply.Model
	}
	if reply.Stall {
		reply.Truncate = true // a stalled stream never gets to its end
	}
	frames := f.render.stream(&req, model, &reply)
	f.stream(r.Context(), w, req, &reply, frames)
}

func (f *Fake) fail(w http.ResponseWriter, fl *Failure, model string) {
	status, h, body := f.render.failure(fl, model)
	for k, v := range h {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeJSON(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// A frame is one SSE event (or raw bytes), with the wait before it.
type frame struct {
	b     []byte
	raw   bool // written verbatim, whatever the line-ending options
	delay time.Duration
}

func (f *Fake) stream(ctx context.Context, w http.ResponseWriter, req Request, reply *Reply, frames []frame) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	if f.wire != Gemini {
		h.Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(http.StatusOK)
	fl := w.(http.Flusher)
	fl.Flush()
	crlf := (reply.CRLF || f.wire == Gemini) && !reply.LFOnly
	if !f.wait(ctx, reply.FirstTokenDelay, req) {
		return
	}
	for _, fr := range frames {
		if !f.wait(ctx, fr.delay, req) {
			return
		}
		b := fr.b
		if crlf && !fr.raw {
			b = bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
		}
		for _, piece := range pieces(b, reply.SplitWrites) {
			if _, err := w.Write(piece); err != nil {
				f.wait(ctx, time.Hour, req)
				return
			}
			fl.Flush()
		}
	}
	if reply.Stall {
		f.wait(ctx, -1, req)
	}
}

// wait waits d (forever when d < 0) and reports whether the client is still
// there; when it is not, it signals Canceled.
func (f *Fake) wait(ctx context.Context, d time.Duration, req Request) bool {
	if d == 0 {
		select {
		case <-ctx.Done():
			f.signal(req)
			return false
		default:
			return true
		}
	}
	var timeout <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-ctx.Done():
		f.signal(req)
		return false
	case <-f.done:
		return false
	case <-timeout:
		return true
	}
}

func (f *Fake) signal(req Request) {
	select {
	case f.canceled <- req:
	default:
	}
}

// pieces cuts b into writes: one, or three cut inside the frame, the first cut
// between a CR and its LF when there is one.
func pieces(b []byte, split bool) [][]byte {
	if !split || len(b) < 3 {
		return [][]byte{b}
	}
	i := len(b) / 3
	if j := bytes.Index(b, []byte("\r\n")); j >= 0 && j+1 < len(b)-1 {
		i = j + 1
	}
	k := i + (len(b)-i)/2
	if k <= i {
		return [][]byte{b[:i], b[i:]}
	}
	return [][]byte{b[:i], b[i:k], b[k:]}
}
