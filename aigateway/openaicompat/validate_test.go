package openaicompat_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"buf.build/go/protovalidate"
	"google.golang.org/protobuf/proto"

	"github.com/footingdev/footing/aigateway/openaicompat"
	"github.com/footingdev/footing/aigateway/quota"
)

// errorResponse is OpenAI's error body.
type errorResponse struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    string  `json:"code"`
	} `json:"error"`
}

// TestInvalidRequestsAreRefusedBeforeUpstream posts requests that the decoder
// accepts but the ai/v1 protovalidate rules refuse (and a few the decoder itself
// refuses) over real HTTP, streamed and not: each is answered 400
// invalid_request_error naming the OpenAI parameter, and the upstream sees nothing.
func TestInvalidRequestsAreRefusedBeforeUpstream(t *testing.T) {
	t.Parallel()
	user := `{"role":"user","content":"hi"}`
	tests := []struct {
		name, body, param, rule string
	}{
		{"temperature above 2", `{"model":"default-chat","temperature":2.5,"messages":[` + user + `]}`, "temperature", "double.gte_lte"},
		{"negative temperature", `{"model":"default-chat","temperature":-0.1,"messages":[` + user + `]}`, "temperature", "double.gte_lte"},
		{"top_p above 1", `{"model":"default-chat","top_p":1.5,"messages":[` + user + `]}`, "top_p", "double.gte_lte"},
		{"model too long", `{"model":"` + strings.Repeat("m", 257) + `","messages":[` + user + `]}`, "model", "string.max_len"},
		{"too many stop sequences", `{"model":"default-chat","stop":[` + strings.Repeat(`"s",`, 16) + `"s"],"messages":[` + user + `]}`, "stop", "repeated.max_items"},
		{"message name too long", `{"model":"default-chat","messages":[{"role":"user","name":"` + strings.Repeat("n", 65) + `","content":"hi"}]}`, "messages[0].name", "string.max_len"},
		{"image url not a URI", `{"model":"default-chat","messages":[` + user + `,{"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"not a uri"}}]}]}`, "messages[1].content[1].image_url.url", "string.uri"},
		{"tool name with a space", `{"model":"default-chat","tools":[{"type":"function","function":{"name":"get weather"}}],"messages":[` + user + `]}`, "tools[0].function.name", "string.pattern"},
		{"tool description too long", `{"model":"default-chat","tools":[{"type":"function","function":{"name":"f","description":"` + strings.Repeat("d", 4097) + `"}}],"messages":[` + user + `]}`, "tools[0].function.description", "string.max_len"},
		{"schema name too long", `{"model":"default-chat","response_format":{"type":"json_schema","json_schema":{"name":"` + strings.Repeat("n", 65) + `"}},"messages":[` + user + `]}`, "response_format.json_schema.name", "string.max_len"},
		// Refused by the decoder before the rules run; the same shape of answer.
		{"no model", `{"messages":[` + user + `]}`, "model", "INVALID"},
		{"zero max_completion_tokens", `{"model":"default-chat","max_completion_tokens":0,"messages":[` + user + `]}`, "max_completion_tokens", "INVALID"},
		{"negative max_tokens", `{"model":"default-chat","max_tokens":-1,"messages":[` + user + `]}`, "max_tokens", "INVALID"},
		{"tool message without tool_call_id", `{"model":"default-chat","messages":[{"role":"tool","content":"42"}]}`, "messages[0].tool_call_id", "INVALID"},
	}
	srv, fake := setup(t, quota.Config{})
	for _, tc := range tests {
		for _, stream := range []bool{false, true} {
			name := tc.name
			if stream {
				name += "/stream"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				body := tc.body
				if stream {
					body = `{"stream":true,` + body[1:]
				}
				req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/v1/chat/completions", strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer acme")
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				if resp.StatusCode != http.StatusBadRequest || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
					t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
				}
				var e errorResponse
				if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
					t.Fatal(err)
				}
				if e.Error.Type != "invalid_request_error" || e.Error.Code != "INVALID_REQUEST" {
					t.Errorf("type %q, code %q", e.Error.Type, e.Error.Code)
				}
				if e.Error.Param == nil || *e.Error.Param != tc.param {
					t.Errorf("param %v, want %q (message %q)", e.Error.Param, tc.param, e.Error.Message)
				}
				if !strings.Contains(e.Error.Message, tc.param) {
					t.Errorf("message %q does not name %q", e.Error.Message, tc.param)
				}
			})
		}
	}
	t.Cleanup(func() {
		// Runs after every parallel subtest has finished.
		if reqs := fake.Requests(); len(reqs) != 0 {
			t.Errorf("the upstream saw %d requests", len(reqs))
		}
	})
}

// TestValidRequestAtTheBounds checks the rules refuse only what breaks them: a
// request at every bound is served.
func TestValidRequestAtTheBounds(t *testing.T) {
	t.Parallel()
	srv, fake := setup(t, quota.Config{})
	body := `{"model":"default-chat","temperature":2,"top_p":1,"stop":[` + strings.Repeat(`"s",`, 15) + `"s"],` +
		`"tools":[{"type":"function","function":{"name":"get_weather-2"}}],` +
		`"messages":[{"role":"user","name":"` + strings.Repeat("n", 64) + `","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}`
	resp, err := srv.Client().Post(srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e errorResponse
		_ = json.NewDecoder(resp.Body).Decode(&e)
		t.Fatalf("status %d: %+v", resp.StatusCode, e.Error)
	}
	if n := len(fake.Requests()); n != 1 {
		t.Fatalf("upstream saw %d requests", n)
	}
}

// countingValidator counts the messages it checks.
type countingValidator struct {
	protovalidate.Validator
	n atomic.Int64
}

func (v *countingValidator) Validate(msg proto.Message, opts ...protovalidate.ValidationOption) error {
	v.n.Add(1)
	return v.Validator.Validate(msg, opts...)
}

// TestWithValidator checks that the handler uses the validator it is given (the
// one a service also gives its Connect interceptor), and ignores a nil one.
func TestWithValidator(t *testing.T) {
	t.Parallel()
	v := &countingValidator{Validator: protovalidate.GlobalValidator}
	h := openaicompat.New(nil, openaicompat.WithValidator(v), openaicompat.WithValidator(nil))
	for _, body := range []string{
		`{"model":"default-chat","temperature":9,"messages":[{"role":"user","content":"hi"}]}`,
		`{"model":"default-chat","top_p":9,"messages":[{"role":"user","content":"hi"}]}`,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/v1/chat/completions", strings.NewReader(body)))
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	if n := v.n.Load(); n != 2 {
		t.Fatalf("the validator checked %d requests, want 2", n)
	}
}
