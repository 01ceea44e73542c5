package providertest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/footingdev/footing/aigateway/provider"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// CancelWithin bounds how long the suite waits for a fake to see its request
// cancelled after the caller cancelled. The issue asks for 100 ms; the bound is 5×
// that because the suite runs on shared, noisy CI machines. The measured time is
// logged (it is well under a millisecond on an idle machine).
const CancelWithin = 500 * time.Millisecond

// A Factory makes the provider under test.
type Factory struct {
	// Wire is the protocol the provider speaks; the suite starts a fake of it.
	Wire Wire
	// New returns a provider for the given base URL and API key.
	New func(t *testing.T, baseURL, apiKey string) provider.Provider
}

type suite struct {
	Factory
}

// Run runs the conformance suite: every scripted behaviour of the fake, against a
// fresh fake and provider per subtest.
func Run(t *testing.T, f Factory) {
	t.Helper()
	s := suite{f}
	tests := []struct {
		name string
		fn   func(*testing.T, *Fake, provider.Provider)
	}{
		{"Text", s.text},
		{"RequestShape", s.requestShape},
		{"ToolCalls", s.toolCalls},
		{"Thinking", s.thinking},
		{"UsageAllKinds", s.usageAllKinds},
		{"UsageOnlyChunk", s.usageOnlyChunk},
		{"FinishReasons", s.finishReasons},
		{"PingsAndComments", s.pingsAndComments},
		{"CRLF", s.crlf},
		{"SplitWrites", s.splitWrites},
		{"ErrorEventAfterFirstChunk", s.errorAfterFirst},
		{"Truncated", s.truncated},
		{"MalformedEvent", s.malformed},
		{"HTTPFailures", s.httpFailures},
		{"RetryAfterMs", s.retryAfterMs},
		{"WrongKey", s.wrongKey},
		{"KeyNeverInErrors", s.keyScrubbed},
		{"SlowFirstToken", s.slowFirstToken},
		{"CancelStalled", s.cancelStalled},
		{"CancelBeforeFirstToken", s.cancelBeforeFirst},
		{"CloseEarly", s.closeEarly},
		{"Deadline", s.deadline},
		{"Concurrent", s.concurrent},
		{"ConnectionReuse", s.connReuse},
		{"ReadHook", s.readHook},
		{"ListModels", s.listModels},
		{"Embed", s.embed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := New(t, f.Wire)
			p := f.New(t, fake.BaseURL(), fake.APIKey)
			tc.fn(t, fake, p)
		})
	}
}

func request(model string) *aiv1.ChatRequest {
	return &aiv1.ChatRequest{Model: model, Messages: []*aiv1.Message{
		{Role: aiv1.Role_ROLE_SYSTEM, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "Be brief."}}}},
		{Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "Say hello."}}}},
	}}
}

func (s suite) model(f *Fake) string { return f.Models[0] }

func (s suite) chat(t *testing.T, f *Fake, p provider.Provider, r Reply) Collected {
	t.Helper()
	f.Enqueue(r)
	st, err := p.Chat(t.Context(), request(s.model(f)))
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	return Collect(st)
}

func (s suite) wantOK(t *testing.T, f *Fake, c Collected, text string, r Reply) {
	t.Helper()
	if c.Err != nil {
		t.Fatalf("stream ended with %v", c.Err)
	}
	if c.Text != text {
		t.Errorf("text = %q, want %q", c.Text, text)
	}
	if c.Finish != r.finish() {
		t.Errorf("finish = %v, want %v", c.Finish, r.finish())
	}
	want := f.render.carried(r.usage())
	if !proto.Equal(c.Usage, want) {
		t.Errorf("usage = %v, want %v", c.Usage, want)
	}
	last := c.Chunks[len(c.Chunks)-1]
	if last.GetFinishReason() != r.finish() || last.GetUsage() == nil {
		t.Errorf("last chunk = %v, want the finish reason and usage", last)
	}
}

func (s suite) text(t *testing.T, f *Fake, p provider.Provider) {
	r := Text("Hel", "lo", " wörld \"quoted\" <b>&</b>\n")
	c := s.chat(t, f, p, r)
	s.wantOK(t, f, c, "Hello wörld \"quoted\" <b>&</b>\n", r)
	for _, ch := range c.Chunks {
		if ch.GetProvider() != p.Name() || ch.GetModel() != s.model(f) {
			t.Fatalf("chunk provider/model = %q/%q, want %q/%q", ch.GetProvider(), ch.GetModel(), p.Name(), s.model(f))
		}
	}
}

func (s suite) requestShape(t *testing.T, f *Fake, p provider.Provider) {
	s.chat(t, f, p, Text("ok"))
	reqs := f.Requests()
	if len(reqs) != 1 {
		t.Fatalf("fake saw %d requests, want 1", len(reqs))
	}
	req := reqs[0]
	if req.Model != s.model(f) {
		t.Errorf("model = %q, want %q", req.Model, s.model(f))
	}
	var body map[string]any
	if err := json.Unmarshal(req.Body, &body); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	switch f.Wire() {
	case OpenAI:
		if req.Header.Get("Authorization") != "Bearer "+f.APIKey || body["stream"] != true {
			t.Errorf("auth header %q, stream %v", req.Header.Get("Authorization"), body["stream"])
		}
		if so, _ := body["stream_options"].(map[string]any); so["include_usage"] != true {
			t.Errorf("stream_options = %v, want include_usage", body["stream_options"])
		}
	case Anthropic:
		if req.Header.Get("X-Api-Key") != f.APIKey || req.Header.Get("Anthropic-Version") != "2023-06-01" {
			t.Errorf("headers x-api-key %q anthropic-version %q", req.Header.Get("X-Api-Key"), req.Header.Get("Anthropic-Version"))
		}
		if body["stream"] != true || body["max_tokens"] == nil || body["system"] == nil {
			t.Errorf("body = %s, want stream, max_tokens and system", req.Body)
		}
	case Gemini:
		if req.Header.Get("X-Goog-Api-Key") != f.APIKey || req.RawQuery != "alt=sse" {
			t.Errorf("x-goog-api-key %q, query %q", req.Header.Get("X-Goog-Api-Key"), req.RawQuery)
		}
		if body["systemInstruction"] == nil || body["contents"] == nil {
			t.Errorf("body = %s, want systemInstruction and contents", req.Body)
		}
	}
	if strings.Contains(req.RawQuery, f.APIKey) {
		t.Errorf("the API key is in the URL")
	}
}

func (s suite) toolCalls(t *testing.T, f *Fake, p provider.Provider) {
	r := Reply{Steps: []Step{
		{Text: "Checking."},
		{ToolCall: &ToolCallStep{Index: 0, ID: "call_1", Name: "get_weather", Args: `{"city":`}},
		{ToolCall: &ToolCallStep{Index: 0, Args: `"Paris"}`}},
		{ToolCall: &ToolCallStep{Index: 1, ID: "call_2", Name: "get_time", Args: `{"tz":"CET"}`}},
	}}
	c := s.chat(t, f, p, r)
	s.wantOK(t, f, c, "Checking.", r)
	want := []*aiv1.ToolCall{{Id: "call_1", Name: "get_weather", Arguments: `{"city":"Paris"}`}, {Id: "call_2", Name: "get_time", Arguments: `{"tz":"CET"}`}}
	if len(c.ToolCalls) != len(want) {
		t.Fatalf("tool calls = %v, want %v", c.ToolCalls, want)
	}
	ids := map[string]bool{}
	for i, tc := range c.ToolCalls {
		if tc.Name != want[i].Name || !sameJSON(tc.Arguments, want[i].Arguments) {
			t.Errorf("tool call %d = %v, want %v", i, tc, want[i])
		}
		if f.Wire() != Gemini && tc.Id != want[i].Id {
			t.Errorf("tool call %d id = %q, want %q", i, tc.Id, want[i].Id)
		}
		if tc.Id == "" || ids[tc.Id] {
			t.Errorf("tool call %d id %q is empty or repeated", i, tc.Id)
		}
		ids[tc.Id] = true
	}
}

// thinking: the model's reasoning (Anthropic's thinking blocks with their
// signature, Gemini's thought parts) is not part of the answer, and a tool call
// after it keeps its index 0 (Anthropic's block index is 1).
func (s suite) thinking(t *testing.T, f *Fake, p provider.Provider) {
	r := Reply{Steps: []Step{{Thinking: "The user greets me;"}, {Thinking: " I greet back."}, {Text: "Hel"}, {Text: "lo"}}}
	s.wantOK(t, f, s.chat(t, f, p, r), "Hello", r)
	r = Reply{Steps: []Step{{Thinking: "I need the weather."}, {ToolCall: &ToolCallStep{Index: 0, ID: "call_1", Name: "get_weather", Args: `{"city":"Paris"}`}}}}
	c := s.chat(t, f, p, r)
	s.wantOK(t, f, c, "", r)
	if len(c.ToolCalls) != 1 || c.ToolCalls[0].Name != "get_weather" || !sameJSON(c.ToolCalls[0].Arguments, `{"city":"Paris"}`) {
		t.Errorf("tool calls = %v, want get_weather({\"city\":\"Paris\"}) alone", c.ToolCalls)
	}
}

func sameJSON(a, b string) bool {
	var x, y any
	return json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal([]byte(b), &y) == nil && reflect.DeepEqual(x, y)
}

func (s suite) usageAllKinds(t *testing.T, f *Fake, p provider.Provider) {
	r := Text("a", "b")
	r.Usage = &aiv1.Usage{InputTokens: 1200, OutputTokens: 90, CacheReadTokens: 800, CacheWriteTokens: 100, ReasoningTokens: 40}
	// Gemini reports 150 of the input tokens as toolUsePromptTokenCount; the
	// others count them in their input as is.
	r.ToolUsePromptTokens = 150
	var want1h int64
	if f.Wire() == Anthropic {
		r.Usage.ReasoningTokens = 0
		r.CacheWrite1hTokens, want1h = 60, 60
	} else {
		r.Usage.CacheWriteTokens = 0
	}
	c := s.chat(t, f, p, r)
	s.wantOK(t, f, c, "ab", r)
	u, writes1h, reported := p2u(t, f, p, r)
	if !proto.Equal(u, c.Usage) {
		t.Errorf("Stream.Usage differs from the last chunk's")
	}
	if writes1h != want1h || (want1h > 0 && !reported) {
		t.Errorf("1-hour cache writes = %d (reported: %v), want %d", writes1h, reported, want1h)
	}
}

// p2u runs r again and returns Stream.Usage after the end, and the 1-hour cache
// writes when the stream reports them (provider.CacheWrite1hReporter).
func p2u(t *testing.T, f *Fake, p provider.Provider, r Reply) (u *aiv1.Usage, writes1h int64, reported bool) {
	t.Helper()
	f.Enqueue(r)
	st, err := p.Chat(t.Context(), request(s0(f)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	for {
		if _, err := st.Next(); err != nil {
			break
		}
	}
	if rep, ok := st.(provider.CacheWrite1hReporter); ok {
		writes1h, reported = rep.CacheWrite1hTokens(), true
	}
	return st.Usage(), writes1h, reported
}

func s0(f *Fake) string { return f.Models[0] }

func (s suite) usageOnlyChunk(t *testing.T, f *Fake, p provider.Provider) {
	r := Text("x", "y", "z")
	r.UsageOnlyChunk = true
	r.Usage = &aiv1.Usage{InputTokens: 7, OutputTokens: 33}
	c := s.chat(t, f, p, r)
	s.wantOK(t, f, c, "xyz", r)
}

func (s suite) finishReasons(t *testing.T, f *Fake, p provider.Provider) {
	for _, fr := range []aiv1.FinishReason{aiv1.FinishReason_FINISH_REASON_LENGTH, aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER} {
		r := Text("cut")
		r.Finish = fr
		s.wantOK(t, f, s.chat(t, f, p, r), "cut", r)
	}
}

func (s suite) pingsAndComments(t *testing.T, f *Fake, p provider.Provider) {
	r := Reply{Steps: []Step{{Ping: true}, {Comment: "OPENROUTER PROCESSING"}, {Text: "a"}, {Ping: true}, {Comment: ""}, {Text: "b"}, {Ping: true}}}
	r.Usage = &aiv1.Usage{InputTokens: 3, OutputTokens: 2}
	s.wantOK(t, f, s.chat(t, f, p, r), "ab", r)
}

func (s suite) crlf(t *testing.T, f *Fake, p provider.Provider) {
	r := Reply{Steps: []Step{{Text: "line\r\none"}, {Ping: true}, {ToolCall: &ToolCallStep{ID: "c1", Name: "f", Args: `{"a":1}`}}}, CRLF: true}
	s.wantOK(t, f, s.chat(t, f, p, r), "line\r\none", r)
}

func (s suite) splitWrites(t *testing.T, f *Fake, p provider.Provider) {
	for _, crlf := range []bool{false, true} {
		r := Text("sp", "lit", " frames")
		r.Steps = append(r.Steps, Step{Ping: true}, Step{Text: "!"})
		r.SplitWrites, r.CRLF = true, crlf
		s.wantOK(t, f, s.chat(t, f, p, r), "split frames!", r)
	}
}

func wantKind(t *testing.T, err error, kinds ...provider.Kind) {
	t.Helper()
	_ = asKind(t, err, kinds...)
}

// asKind asserts err is a *provider.Error of one of kinds and returns it.
func asKind(t *testing.T, err error, kinds ...provider.Kind) *provider.Error {
	t.Helper()
	var pe *provider.Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T), want a *provider.Error", err, err)
	}
	for _, k := range kinds {
		if pe.Kind == k {
			return pe
		}
	}
	t.Fatalf("err kind = %v (%v), want %v", pe.Kind, pe, kinds)
	return nil
}

func (s suite) errorAfterFirst(t *testing.T, f *Fake, p provider.Provider) {
	r := Reply{Steps: []Step{{Text: "Hel"}, {Error: &Failure{Kind: provider.KindOverloaded}}, {Text: "never"}}}
	c := s.chat(t, f, p, r)
	if c.Text != "Hel" {
		t.Errorf("text before the error = %q, want %q", c.Text, "Hel")
	}
	pe := asKind(t, c.Err, provider.KindOverloaded, provider.KindServer)
	if !pe.Retryable() || !pe.Fallback() {
		t.Errorf("mid-stream %v: retryable %v fallback %v", pe.Kind, pe.Retryable(), pe.Fallback())
	}
	if pe.Message == "" {
		t.Errorf("the provider's message is lost: %v", pe)
	}
}

func (s suite) truncated(t *testing.T, f *Fake, p provider.Provider) {
	r := Text("par", "tial")
	r.Truncate = true
	c := s.chat(t, f, p, r)
	if c.Text != "partial" {
		t.Errorf("text = %q", c.Text)
	}
	wantKind(t, c.Err, provider.KindServer)
}

func (s suite) malformed(t *testing.T, f *Fake, p provider.Provider) {
	raw := "data: {\"not json\n\n"
	if f.Wire() == Anthropic {
		raw = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\n\n"
	}
	r := Reply{Steps: []Step{{Text: "ok"}, {Raw: raw}, {Text: "never"}}}
	c := s.chat(t, f, p, r)
	wantKind(t, c.Err, provider.KindServer)
}

func (s suite) httpFailures(t *testing.T, f *Fake, p provider.Provider) {
	tests := []struct {
		kind      provider.Kind
		retryable bool
		fallback  bool
		after     time.Duration
	}{
		{provider.KindInvalidRequest, false, false, 0},
		{provider.KindAuth, false, true, 0},
		{provider.KindNotFound, false, true, 0},
		{provider.KindRateLimited, true, true, 3 * time.Second},
		{provider.KindQuotaExhausted, false, true, 0},
		{provider.KindOverloaded, true, true, 0},
		{provider.KindServer, true, true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.kind.String(), func(t *testing.T) {
			f.Enqueue(Reply{Failure: &Failure{Kind: tc.kind, RetryAfter: tc.after}})
			st, err := p.Chat(t.Context(), request(s.model(f)))
			if err == nil {
				_ = st.Close()
				t.Fatalf("Chat succeeded, want %v", tc.kind)
			}
			pe := asKind(t, err, tc.kind)
			if pe.StatusCode < 400 || pe.Provider != p.Name() {
				t.Errorf("status %d provider %q", pe.StatusCode, pe.Provider)
			}
			if pe.Retryable() != tc.retryable || pe.Fallback() != tc.fallback {
				t.Errorf("retryable %v fallback %v, want %v %v", pe.Retryable(), pe.Fallback(), tc.retryable, tc.fallback)
			}
			if pe.RetryAfter != tc.after {
				t.Errorf("RetryAfter = %v, want %v", pe.RetryAfter, tc.after)
			}
			if pe.Message == "" || pe.Type == "" {
				t.Errorf("message %q type %q: the provider's error body is lost", pe.Message, pe.Type)
			}
			if strings.Contains(pe.Error(), f.APIKey) {
				t.Errorf("error holds the API key: %v", pe)
			}
		})
	}
}

func (s suite) retryAfterMs(t *testing.T, f *Fake, p provider.Provider) {
	fl := &Failure{Kind: provider.KindRateLimited, RetryAfter: 1500 * time.Millisecond, RetryAfterMs: true}
	want := fl.RetryAfter
	if f.Wire() == Gemini {
		want = 2 * time.Second // RetryInfo's retryDelay, in whole seconds
	}
	f.Enqueue(Reply{Failure: fl})
	_, err := p.Chat(t.Context(), request(s.model(f)))
	if pe := asKind(t, err, provider.KindRateLimited); pe.RetryAfter != want {
		t.Errorf("RetryAfter = %v, want %v", pe.RetryAfter, want)
	}
}

func (s suite) wrongKey(t *testing.T, f *Fake, _ provider.Provider) {
	const key = "sk-wrong-0123456789abcdef"
	p := s.New(t, f.BaseURL(), key)
	_, err := p.Chat(t.Context(), request(s.model(f)))
	pe := asKind(t, err, provider.KindAuth)
	if pe.Retryable() {
		t.Errorf("auth failures must never be retried")
	}
	if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), f.APIKey) {
		t.Errorf("error holds a key: %v", err)
	}
	if _, err := p.ListModels(t.Context()); err == nil {
		t.Errorf("ListModels with a wrong key succeeded")
	} else {
		wantKind(t, err, provider.KindAuth)
	}
}

// keyScrubbed: a provider that echoes the key in its message (some compatible
// servers do) must not pass it on, neither in a failure answer nor in an error event.
func (s suite) keyScrubbed(t *testing.T, f *Fake, p provider.Provider) {
	msg := "invalid request for key " + f.APIKey
	f.Enqueue(Reply{Failure: &Failure{Kind: provider.KindServer, Message: msg}},
		Reply{Steps: []Step{{Text: "a"}, {Error: &Failure{Kind: provider.KindServer, Message: msg}}}})
	_, err := p.Chat(t.Context(), request(s.model(f)))
	pe := asKind(t, err, provider.KindServer)
	c := s.chat(t, f, p, Reply{}) // the queued error-event reply
	for _, e := range []error{pe, c.Err} {
		if e == nil || strings.Contains(e.Error(), f.APIKey) || !strings.Contains(e.Error(), "invalid request for key") {
			t.Errorf("error %v: want the message without the key", e)
		}
	}
}

func (s suite) slowFirstToken(t *testing.T, f *Fake, p provider.Provider) {
	r := Text("slow")
	r.FirstTokenDelay = 150 * time.Millisecond
	s.wantOK(t, f, s.chat(t, f, p, r), "slow", r)
}

// cancelled waits for the fake to see a request cancelled and logs how long it took.
func cancelled(t *testing.T, f *Fake, since time.Time) {
	t.Helper()
	select {
	case <-f.Canceled():
		t.Logf("upstream saw the cancel after %v", time.Since(since))
	case <-time.After(CancelWithin):
		t.Fatalf("the fake did not see its request cancelled within %v", CancelWithin)
	}
}

func (s suite) cancelStalled(t *testing.T, f *Fake, p provider.Provider) {
	f.Enqueue(Reply{Steps: []Step{{Text: "Hel"}}, Stall: true})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	st, err := p.Chat(ctx, request(s.model(f)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	for {
		ch, err := st.Next()
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if ch.GetDeltaText() == "Hel" {
			break
		}
	}
	// Cancel while Next is blocked on the stalled stream.
	var at time.Time
	var mu sync.Mutex
	timer := time.AfterFunc(20*time.Millisecond, func() { mu.Lock(); at = time.Now(); mu.Unlock(); cancel() })
	defer timer.Stop()
	_, err = st.Next()
	wantKind(t, err, provider.KindCanceled)
	mu.Lock()
	start := at
	mu.Unlock()
	cancelled(t, f, start)
	if _, err := st.Next(); err == nil {
		t.Errorf("Next after a failure returned a chunk")
	}
}

func (s suite) cancelBeforeFirst(t *testing.T, f *Fake, p provider.Provider) {
	r := Text("late")
	r.FirstTokenDelay = time.Hour
	f.Enqueue(r)
	ctx, cancel := context.WithCancel(t.Context())
	st, err := p.Chat(ctx, request(s.model(f)))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	start := time.Now()
	cancel()
	cancelled(t, f, start)
	_, err = st.Next()
	wantKind(t, err, provider.KindCanceled)
}

func (s suite) closeEarly(t *testing.T, f *Fake, p provider.Provider) {
	f.Enqueue(Reply{Steps: []Step{{Text: "a"}, {Text: "b", Delay: time.Hour}}})
	st, err := p.Chat(t.Context(), request(s.model(f)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Next(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := st.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	cancelled(t, f, start)
	if err := st.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func (s suite) deadline(t *testing.T, f *Fake, p provider.Provider) {
	r := Text("late")
	r.FirstTokenDelay = time.Hour
	f.Enqueue(r)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	st, err := p.Chat(ctx, request(s.model(f)))
	if err != nil {
		wantKind(t, err, provider.KindTimeout)
		return
	}
	defer func() { _ = st.Close() }()
	_, err = st.Next()
	wantKind(t, err, provider.KindTimeout)
}

func (s suite) concurrent(t *testing.T, f *Fake, p provider.Provider) {
	var wg sync.WaitGroup
	errs := make(chan string, 20)
	for range 20 {
		wg.Go(func() {
			st, err := p.Chat(t.Context(), request(s.model(f)))
			if err != nil {
				errs <- err.Error()
				return
			}
			if c := Collect(st); c.Err != nil || c.Text != "Hello, world" {
				errs <- c.Text
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent chat: %s", e)
	}
}

// connReuse: a stream read to its end leaves its connection reusable (the
// provider reads past the terminator to the body's end), which saves a dial — a
// TLS handshake against a real API — per request.
func (s suite) connReuse(t *testing.T, f *Fake, p provider.Provider) {
	const n = 6
	for range n {
		if c := s.chat(t, f, p, Text("again")); c.Err != nil {
			t.Fatal(c.Err)
		}
	}
	// net/http returns a connection to its pool asynchronously, so a request may
	// rarely dial anew; none reused means the provider leaves bodies unfinished.
	if f.Conns() >= n {
		t.Errorf("%d requests opened %d connections: none was reused", n, f.Conns())
	}
	t.Logf("%d requests, %d connections", n, f.Conns())
}

// readHook checks that the hook of provider.WithReadHook runs before Next waits
// for the network: after the last chunk the fake sent, a Next on the stalled
// stream calls it before blocking.
func (s suite) readHook(t *testing.T, f *Fake, p provider.Provider) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	waiting := make(chan struct{}, 1)
	ctx = provider.WithReadHook(ctx, func() {
		select {
		case waiting <- struct{}{}:
		default:
		}
	})
	f.Enqueue(Reply{Steps: []Step{{Text: "Hello"}}, Stall: true})
	st, err := p.Chat(ctx, request(s.model(f)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	if c, err := st.Next(); err != nil || c.GetDeltaText() != "Hello" {
		t.Fatalf("first chunk %v, %v", c, err)
	}
	select {
	case <-waiting: // the reads up to the first chunk
	default:
		t.Fatal("the hook never ran before the first chunk")
	}
	done := make(chan error, 1)
	go func() {
		_, err := st.Next()
		done <- err
	}()
	<-waiting // blocks forever if Next waits for the stalled upstream without calling the hook
	cancel()
	wantKind(t, <-done, provider.KindCanceled)
}

func (s suite) listModels(t *testing.T, f *Fake, p provider.Provider) {
	ms, err := p.ListModels(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.GetId())
		if m.GetProvider() != p.Name() {
			t.Errorf("model %q provider = %q", m.GetId(), m.GetProvider())
		}
	}
	if !reflect.DeepEqual(ids, f.Models) {
		t.Errorf("models = %v, want %v", ids, f.Models)
	}
}

func (s suite) embed(t *testing.T, f *Fake, p provider.Provider) {
	in := []string{"hello world", "second input"}
	res, err := p.Embed(t.Context(), &aiv1.EmbedRequest{Model: f.Models[len(f.Models)-1], Inputs: in, Dimensions: new(int32(3))})
	if f.Wire() == Anthropic {
		wantKind(t, err, provider.KindInvalidRequest)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(res.GetEmbeddings()) != len(in) {
		t.Fatalf("%d embeddings, want %d", len(res.GetEmbeddings()), len(in))
	}
	for i, e := range res.GetEmbeddings() {
		if e.GetIndex() != int32(i) || !reflect.DeepEqual(e.GetValues(), vector(i, in[i], 3)) {
			t.Errorf("embedding %d = %v, want %v", i, e.GetValues(), vector(i, in[i], 3))
		}
	}
}
