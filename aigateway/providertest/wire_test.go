package providertest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/providertest"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// The fakes' bytes, checked whole: event names, field order, spacing, line
// endings and terminators as the real APIs send them.
func TestRenderBytes(t *testing.T) {
	t.Parallel()
	reply := providertest.Reply{Steps: []providertest.Step{{Text: "Hi"}, {Ping: true}},
		Usage: &aiv1.Usage{InputTokens: 20, OutputTokens: 5, CacheReadTokens: 4}}
	tests := []struct {
		wire providertest.Wire
		want string
	}{
		{providertest.OpenAI, `data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"m","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"m","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}],"usage":null}

: keep-alive

data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"m","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}

data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"m","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[],"usage":{"prompt_tokens":20,"completion_tokens":5,"total_tokens":25,"prompt_tokens_details":{"cached_tokens":4,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

data: [DONE]

`},
		{providertest.Anthropic, `event: message_start
data: {"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":16,"cache_creation_input_tokens":0,"cache_read_input_tokens":4,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":1,"service_tier":"standard"}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

event: ping
data: {"type": "ping"}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":5}}

event: message_stop
data: {"type":"message_stop"}

`},
		{providertest.Gemini, strings.ReplaceAll(`data: {"candidates": [{"content": {"parts": [{"text": "Hi"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 20,"candidatesTokenCount": 1,"totalTokenCount": 21,"cachedContentTokenCount": 4,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 20}]},"modelVersion": "m","responseId": "pNmDaMyqIqWm1PIP9eqAiQo"}

: keep-alive

data: {"candidates": [{"content": {"parts": [{"text": ""}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 20,"candidatesTokenCount": 5,"totalTokenCount": 25,"cachedContentTokenCount": 4,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 20}]},"modelVersion": "m","responseId": "pNmDaMyqIqWm1PIP9eqAiQo"}

`, "\n", "\r\n")},
	}
	for _, tc := range tests {
		t.Run(tc.wire.String(), func(t *testing.T) {
			t.Parallel()
			got, err := providertest.Render(tc.wire, "m", reply)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("bytes differ\n got: %q\nwant: %q", got, tc.want)
			}
		})
	}
}

// The usage the fakes render for Anthropic's 1-hour cache writes and Gemini's
// tool-use prompt tokens, as the APIs send them: Anthropic splits
// cache_creation_input_tokens in message_start's cache_creation object; Gemini
// reports toolUsePromptTokenCount (and its details by modality) outside
// promptTokenCount, counted in totalTokenCount, after the prompt's details and
// before thoughtsTokenCount.
func TestRenderBytesCacheTTLAndToolUse(t *testing.T) {
	t.Parallel()
	reply := providertest.Reply{Steps: []providertest.Step{{Text: "Hi"}},
		Usage:              &aiv1.Usage{InputTokens: 1000, OutputTokens: 20, CacheReadTokens: 100, CacheWriteTokens: 300, ReasoningTokens: 5},
		CacheWrite1hTokens: 200, ToolUsePromptTokens: 150}
	tests := []struct {
		wire providertest.Wire
		want []string
	}{
		{providertest.Anthropic, []string{
			`"usage":{"input_tokens":600,"cache_creation_input_tokens":300,"cache_read_input_tokens":100,"cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":200},"output_tokens":1,"service_tier":"standard"}`,
			`"usage":{"output_tokens":20}`,
		}},
		{providertest.Gemini, []string{
			`"usageMetadata": {"promptTokenCount": 850,"candidatesTokenCount": 1,"totalTokenCount": 1001,"cachedContentTokenCount": 100,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 850}],"toolUsePromptTokenCount": 150,"toolUsePromptTokensDetails": [{"modality": "TEXT","tokenCount": 150}]}`,
			`"usageMetadata": {"promptTokenCount": 850,"candidatesTokenCount": 15,"totalTokenCount": 1020,"cachedContentTokenCount": 100,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 850}],"toolUsePromptTokenCount": 150,"toolUsePromptTokensDetails": [{"modality": "TEXT","tokenCount": 150}],"thoughtsTokenCount": 5}`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.wire.String(), func(t *testing.T) {
			t.Parallel()
			got, err := providertest.Render(tc.wire, "m", reply)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(got), w) {
					t.Errorf("no %s in\n%s", w, got)
				}
			}
		})
	}
}

// Error answers: status, retry headers and body as each API sends them.
func TestFailureBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		wire    providertest.Wire
		fail    providertest.Failure
		status  int
		header  [2]string
		bodyHas []string
	}{
		{providertest.OpenAI, providertest.Failure{Kind: provider.KindQuotaExhausted}, 429, [2]string{},
			[]string{"{\n    \"error\": {\n        \"message\": \"You exceeded your current quota", `"type": "insufficient_quota"`, `"code": "insufficient_quota"`}},
		{providertest.OpenAI, providertest.Failure{Kind: provider.KindRateLimited, RetryAfter: 1500 * time.Millisecond, RetryAfterMs: true}, 429,
			[2]string{"Retry-After-Ms", "1500"}, []string{`"type": "requests",
        "param": null,
        "code": "rate_limit_exceeded"`}},
		{providertest.Anthropic, providertest.Failure{Kind: provider.KindOverloaded}, 529, [2]string{"Request-Id", "req_011CSHoEeqs5C35K2UUqR7Fy"},
			[]string{`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`}},
		{providertest.Anthropic, providertest.Failure{Kind: provider.KindRateLimited, RetryAfter: 3 * time.Second}, 429, [2]string{"Retry-After", "3"},
			[]string{`"type":"rate_limit_error"`}},
		{providertest.Gemini, providertest.Failure{Kind: provider.KindRateLimited, RetryAfter: 20 * time.Second}, 429, [2]string{},
			[]string{"{\n  \"error\": {\n    \"code\": 429,", `"status": "RESOURCE_EXHAUSTED"`, `"retryDelay": "20s"`, `"quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"`}},
		{providertest.Gemini, providertest.Failure{Kind: provider.KindAuth}, 400, [2]string{},
			[]string{`"status": "INVALID_ARGUMENT"`, `"reason": "API_KEY_INVALID"`}},
	}
	for _, tc := range tests {
		t.Run(tc.wire.String()+"/"+tc.fail.Kind.String(), func(t *testing.T) {
			t.Parallel()
			fake := providertest.New(t, tc.wire)
			fake.Enqueue(providertest.Reply{Failure: &tc.fail})
			resp := post(t, fake)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.header[0] != "" && resp.Header.Get(tc.header[0]) != tc.header[1] {
				t.Errorf("%s = %q, want %q", tc.header[0], resp.Header.Get(tc.header[0]), tc.header[1])
			}
			if tc.wire == providertest.Gemini && resp.Header.Get("Retry-After") != "" {
				t.Errorf("Gemini sends its retry hint in RetryInfo only")
			}
			for _, s := range tc.bodyHas {
				if !strings.Contains(string(body), s) {
					t.Errorf("body lacks %q:\n%s", s, body)
				}
			}
		})
	}
}

func post(t *testing.T, f *providertest.Fake) *http.Response {
	t.Helper()
	return postKey(t, f, f.APIKey)
}

func postKey(t *testing.T, f *providertest.Fake, key string) *http.Response {
	t.Helper()
	url := map[providertest.Wire]string{
		providertest.OpenAI:    f.BaseURL() + "/chat/completions",
		providertest.Anthropic: f.BaseURL() + "/v1/messages",
		providertest.Gemini:    f.BaseURL() + "/models/m:streamGenerateContent?alt=sse",
	}[f.Wire()]
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(`{"model":"m","stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("X-Api-Key", key)
	req.Header.Set("X-Goog-Api-Key", key)
	req.Header.Set("X-Trace", "t-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	return resp
}

// The fake records requests with their headers, answers unknown routes and bad
// keys in the provider's format, and serves its queue in order, then the default.
func TestFakeRecordsAndQueues(t *testing.T) {
	t.Parallel()
	fake := providertest.NewAnthropic(t)
	fake.Enqueue(providertest.Fail(provider.KindServer))
	fake.SetDefault(providertest.Text("default"))
	statuses := []int{}
	for range 2 {
		resp := post(t, fake)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
	}
	if statuses[0] != 500 || statuses[1] != 200 {
		t.Errorf("statuses = %v, want [500 200]", statuses)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 || reqs[0].Header.Get("X-Trace") != "t-1" || reqs[0].Model != "m" || reqs[0].Method != http.MethodPost {
		t.Errorf("recorded = %+v", reqs)
	}

	resp := postKey(t, fake, "other")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "authentication_error") {
		t.Errorf("bad key: %d %s", resp.StatusCode, body)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, fake.URL()+"/nope", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "not_found_error") {
		t.Errorf("unknown route: %d %s", resp.StatusCode, body)
	}
}

// WireFinish is sent as the stream's finish reason as it is, in each wire's field.
func TestRenderWireFinish(t *testing.T) {
	t.Parallel()
	reply := providertest.Reply{Steps: []providertest.Step{{Text: "Hi"}}, WireFinish: "SOME_REASON"}
	for wire, want := range map[providertest.Wire]string{
		providertest.OpenAI:    `"finish_reason":"SOME_REASON"`,
		providertest.Anthropic: `"delta":{"stop_reason":"SOME_REASON","stop_sequence":null}`,
		providertest.Gemini:    `"finishReason": "SOME_REASON"`,
	} {
		got, err := providertest.Render(wire, "m", reply)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(got), want) {
			t.Errorf("%v: no %s in\n%s", wire, want, got)
		}
	}
}

// A refusal renders as OpenAI streams one (structured outputs): the first
// chunk's content null and refusal "", then refusal deltas, then "stop". The
// other wires send it as text.
func TestRenderRefusal(t *testing.T) {
	t.Parallel()
	reply := providertest.Reply{Steps: []providertest.Step{{Refusal: "I'm sorry."}}}
	got, err := providertest.Render(providertest.OpenAI, "m", reply)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"delta":{"role":"assistant","content":null,"refusal":""},"logprobs":null,"finish_reason":null}`,
		`"delta":{"refusal":"I'm sorry."},"logprobs":null,"finish_reason":null}`, `"delta":{},"logprobs":null,"finish_reason":"stop"}`} {
		if !strings.Contains(string(got), want) {
			t.Errorf("no %s in\n%s", want, got)
		}
	}
	for _, wire := range []providertest.Wire{providertest.Anthropic, providertest.Gemini} {
		got, err := providertest.Render(wire, "m", reply)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(got), `"I'm sorry."`) {
			t.Errorf("%v: no refusal text in\n%s", wire, got)
		}
	}
}

// Thinking renders as the APIs stream reasoning: Anthropic's thinking block,
// thinking_delta then signature_delta, before the text block; Gemini's part with
// "thought": true. OpenAI's Chat Completions streams none.
func TestRenderThinking(t *testing.T) {
	t.Parallel()
	reply := providertest.Reply{Steps: []providertest.Step{{Thinking: "Hmm."}, {Text: "Hi"}}}
	for wire, want := range map[providertest.Wire][]string{
		providertest.Anthropic: {`"index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}`,
			`"index":0,"delta":{"type":"thinking_delta","thinking":"Hmm."}}`, `"index":0,"delta":{"type":"signature_delta","signature":"`,
			`{"type":"content_block_stop","index":0}`, `"index":1,"content_block":{"type":"text","text":""}}`},
		providertest.Gemini: {`"parts": [{"text": "Hmm.","thought": true}]`, `"parts": [{"text": "Hi"}]`},
	} {
		got, err := providertest.Render(wire, "m", reply)
		if err != nil {
			t.Fatal(err)
		}
		rest := string(got)
		for _, w := range want {
			i := strings.Index(rest, w)
			if i < 0 {
				t.Fatalf("%v: no %s (in order) in\n%s", wire, w, got)
			}
			rest = rest[i+len(w):]
		}
	}
	if got, _ := providertest.Render(providertest.OpenAI, "m", reply); strings.Contains(string(got), "Hmm.") {
		t.Errorf("openai: reasoning rendered:\n%s", got)
	}
}
