package openaicompat

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"buf.build/go/protovalidate"
	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	"github.com/footingdev/footing/contracts/validation"
)

func TestDecodeRequest(t *testing.T) {
	t.Parallel()
	in := `{"model":"m","stream":true,"max_tokens":5,"max_completion_tokens":9,"stop":"END","seed":3,"user":"u",
	  "messages":[
	    {"role":"developer","content":"be brief"},
	    {"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"https://x/y.png"}}]},
	    {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},
	    {"role":"tool","tool_call_id":"c1","content":"42"}],
	  "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],
	  "tool_choice":{"type":"function","function":{"name":"f"}},
	  "response_format":{"type":"json_object"},
	  "logprobs":true, "some_new_field":{"a":1}}`
	req, raw, err := decodeRequest(strings.NewReader(in), protovalidate.GlobalValidator)
	if err != nil {
		t.Fatal(err)
	}
	if !raw.Stream || req.GetMaxTokens() != 9 || req.GetStop()[0] != "END" || req.GetSeed() != 3 || req.GetMetadata()["user"] != "u" {
		t.Errorf("scalars: %v", req)
	}
	m := req.GetMessages()
	if len(m) != 4 || m[0].GetRole() != aiv1.Role_ROLE_SYSTEM || m[1].GetContent()[1].GetImage().GetUrl() != "https://x/y.png" ||
		m[2].GetToolCalls()[0].GetName() != "f" || m[3].GetContent()[0].GetToolResult().GetContent() != "42" {
		t.Errorf("messages: %v", m)
	}
	if req.GetToolChoice().GetName() != "f" || req.GetTools()[0].GetParameters().GetFields()["type"].GetStringValue() != "object" ||
		req.GetResponseFormat().GetType() != aiv1.ResponseFormat_TYPE_JSON_OBJECT {
		t.Errorf("tools: %v", req)
	}
}

func TestDecodeRequestReportsEveryProblem(t *testing.T) {
	t.Parallel()
	in := `{"n":2,"messages":[{"role":"wizard"},{"role":"tool","content":"x"},{"role":"user","content":5}],"stop":7,"tool_choice":"sometimes","response_format":{"type":"yaml"}}`
	_, _, err := decodeRequest(strings.NewReader(in), protovalidate.GlobalValidator)
	d := errs.From(err)
	if d.Code != connect.CodeInvalidArgument || len(d.FieldViolations) != 8 {
		t.Fatalf("got %v (%d violations)", err, len(d.FieldViolations))
	}
}

// FuzzDecodeRequest checks that any body is decoded or refused with InvalidArgument
// naming at least one field, never a panic, and that accepted requests have a model
// and messages and pass every protovalidate rule of ai/v1, so nothing invalid
// reaches the gateway.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{
		`{"model":"m","messages":[{"role":"user","content":"hi"}]}`,
		`{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"}]}],"stream":true,"stream_options":{"include_usage":true}}`,
		`{"model":"m","messages":[{"role":"tool","tool_call_id":"x","content":[{"type":"text","text":"a"}]}],"stop":["a","b"]}`,
		`{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"a":[1,{"b":null}]}}}],"tool_choice":"auto"}`,
		`{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{}}}}`,
		`{"messages":[]}`, `[]`, `{`, `null`, `{"model":"m","messages":[{"role":"user","content":null}],"max_tokens":-1}`,
		`{"model":"m","messages":[{"role":"user","content":"x","name":"` + strings.Repeat("n", 65) + `"}],"temperature":2.5,"top_p":-1}`,
		`{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"not a uri"}}]}],"tools":[{"type":"function","function":{"name":"bad name"}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, raw, err := decodeRequest(strings.NewReader(string(body)), protovalidate.GlobalValidator)
		if err != nil {
			d := errs.From(err)
			if d.Code != connect.CodeInvalidArgument {
				t.Fatalf("code %v: %v", d.Code, err)
			}
			switch d.Reason {
			case "MALFORMED_JSON":
				if strings.Contains(d.Message, "Go ") || strings.Contains(d.Message, "chatRequest") {
					t.Fatalf("the message names the gateway's Go types: %q", d.Message)
				}
			case "UNREADABLE_BODY", "BODY_TOO_LARGE", "TOO_MANY_ELEMENTS":
			case "INVALID_REQUEST":
				if len(d.FieldViolations) == 0 || d.FieldViolations[0].GetField() == "" {
					t.Fatalf("no field named: %v", err)
				}
			default:
				t.Fatalf("reason %q: %v", d.Reason, err)
			}
			return
		}
		if raw == nil || req.GetModel() == "" || len(req.GetMessages()) == 0 {
			t.Fatalf("accepted a request without model or messages: %v", req)
		}
		if err := protovalidate.Validate(req); err != nil {
			t.Fatalf("accepted a request that breaks a rule: %v", err)
		}
	})
}

// FuzzDecodeContentString holds the shortcut for string contents to
// encoding/json: any valid JSON string decodes to the same text.
func FuzzDecodeContentString(f *testing.F) {
	for _, s := range []string{`"hi"`, `"a\"b\\c\n\u00e9\ud83d\ude00"`, "\"\xff\xfe\"", `""`, `"é😀 <&>"`, "\"\u2028\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var want string
		if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &want) != nil {
			return
		}
		got, parts, ok := decodeContent(raw)
		if !ok || parts != nil || got != want {
			t.Fatalf("decodeContent(%q) = %q, %v, %v; encoding/json: %q", raw, got, parts, ok, want)
		}
	})
}

// TestMalformedJSONSpeaksJSON: a body that does not decode is described by where its
// JSON breaks or by the JSON field with the wrong kind of value, never by the
// gateway's Go types (encoding/json's own text says "Go struct field chatRequest...").
func TestMalformedJSONSpeaksJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ body, message, field string }{
		{`{"model":"m","messages":"hello"}`, "the request body is not a valid chat completion request: messages must not be a JSON string", "messages"},
		{`{"model":7,"messages":[]}`, "the request body is not a valid chat completion request: model must not be a JSON number", "model"},
		{`{"model":"m","messages":[{"role":"user","content":"x"}],"stream_options":{"include_usage":"yes"}}`,
			"the request body is not a valid chat completion request: stream_options.include_usage must not be a JSON string", "stream_options.include_usage"},
		{`[]`, "the request body must be a JSON object, not a JSON array", ""},
		{`{"model":"m",}`, "the request body is not valid JSON (at byte 14)", ""},
		{`{"model":"m"`, "the request body is not valid JSON (at byte 12)", ""},
	} {
		_, _, err := decodeRequest(strings.NewReader(tc.body), protovalidate.GlobalValidator)
		d := errs.From(err)
		if d.Code != connect.CodeInvalidArgument || d.Reason != "MALFORMED_JSON" || d.Message != tc.message {
			t.Errorf("%s: %v %s %q; want %q", tc.body, d.Code, d.Reason, d.Message, tc.message)
			continue
		}
		if tc.field == "" && len(d.FieldViolations) != 0 ||
			tc.field != "" && (len(d.FieldViolations) != 1 || d.FieldViolations[0].GetField() != tc.field) {
			t.Errorf("%s: field violations %v; want %q", tc.body, d.FieldViolations, tc.field)
		}
	}
}

// TestDecodeProblemsAreBounded sends 100,000 messages with an unknown role (about
// 1.3 MB): the refusal lists at most validation.MaxViolations of them, gives the
// total in ErrorInfo metadata "violations", and stays small — it listed every one,
// a 9 MB message and 100,000 field violations, and a 32 MiB body made ~250 MB.
func TestDecodeProblemsAreBounded(t *testing.T) {
	t.Parallel()
	const n = 100_000
	in := `{"model":"m","messages":[` + strings.Repeat(`{"role":"x"},`, n-1) + `{"role":"x"}]}`
	_, _, err := decodeRequest(strings.NewReader(in), protovalidate.GlobalValidator)
	d := errs.From(err)
	if d.Code != connect.CodeInvalidArgument || d.Reason != "INVALID_REQUEST" {
		t.Fatalf("got %v", err)
	}
	if len(d.FieldViolations) != validation.MaxViolations || d.FieldViolations[0].GetField() != "messages[0].role" {
		t.Errorf("%d field violations, the first %v; want %d from messages[0].role", len(d.FieldViolations), d.FieldViolations[0], validation.MaxViolations)
	}
	if got := d.Metadata["violations"]; got != strconv.Itoa(n) {
		t.Errorf("metadata violations = %q, want %d", got, n)
	}
	if len(d.Message) > 16<<10 {
		t.Errorf("message of %d bytes", len(d.Message))
	}

	// Broken protovalidate rules are bounded by the validation package; the
	// total it counts is passed on, and said in the message.
	long := `{"role":"user","name":"` + strings.Repeat("n", 65) + `","content":"hi"}`
	in = `{"model":"m","messages":[` + strings.Repeat(long+",", 199) + long + `]}`
	_, _, err = decodeRequest(strings.NewReader(in), protovalidate.GlobalValidator)
	d = errs.From(err)
	if len(d.FieldViolations) != validation.MaxViolations || d.Metadata["violations"] != "200" || !strings.HasSuffix(d.Message, "; and 100 more") {
		t.Errorf("%d field violations, metadata %v, message ending %q", len(d.FieldViolations), d.Metadata, d.Message[max(0, len(d.Message)-40):])
	}
}

// TestBodyPastTheEdgesLimit: a body cut by the edge's body limit (edge.BodyLimit
// wraps it in http.MaxBytesReader; a chunked body has no Content-Length to refuse
// up front) is refused as too large, naming the limit, as one past
// MaxRequestBytes is — it was "the request body could not be read".
func TestBodyPastTheEdgesLimit(t *testing.T) {
	t.Parallel()
	body := `{"model":"m","messages":[{"role":"user","content":"` + strings.Repeat("x", 100) + `"}]}`
	limited := http.MaxBytesReader(httptest.NewRecorder(), io.NopCloser(strings.NewReader(body)), 64)
	_, _, err := decodeRequest(limited, protovalidate.GlobalValidator)
	if d := errs.From(err); d.Code != connect.CodeInvalidArgument || d.Reason != "BODY_TOO_LARGE" || !strings.Contains(d.Message, "64 bytes") {
		t.Fatalf("got %v; want BODY_TOO_LARGE naming the 64-byte limit", err)
	}
}

// TestRequestsOfTooManyElementsAreRefused: a body of more than MaxRequestElements
// JSON values is refused before it is decoded. Each costs up to about 180 bytes
// decoded and as little as two in the body, and no rule bounds a message's tool
// calls or a schema's nodes: 32 MiB of "{}," as tool calls, or of "0," in a tool's
// parameters, decoded to 2 GiB and was accepted. Braces in strings are not
// elements.
func TestRequestsOfTooManyElementsAreRefused(t *testing.T) {
	t.Parallel()
	calls := func(n int) string {
		return `{"model":"m","messages":[{"role":"assistant","tool_calls":[` + strings.Repeat(`{},`, n-1) + `{}]}]}`
	}
	_, _, err := decodeRequest(strings.NewReader(calls(MaxRequestElements)), protovalidate.GlobalValidator)
	if d := errs.From(err); d.Code != connect.CodeInvalidArgument || d.Reason != "TOO_MANY_ELEMENTS" {
		t.Fatalf("%d tool calls: %v; want TOO_MANY_ELEMENTS", MaxRequestElements, err)
	}
	numbers := `{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"a":[` +
		strings.Repeat(`0,`, MaxRequestElements) + `0]}}}]}`
	_, _, err = decodeRequest(strings.NewReader(numbers), protovalidate.GlobalValidator)
	if d := errs.From(err); d.Code != connect.CodeInvalidArgument || d.Reason != "TOO_MANY_ELEMENTS" {
		t.Fatalf("%d numbers in a tool's parameters: %v; want TOO_MANY_ELEMENTS", MaxRequestElements, err)
	}
	if _, _, err := decodeRequest(strings.NewReader(calls(1000)), protovalidate.GlobalValidator); err != nil {
		t.Fatalf("1000 tool calls: %v", err)
	}
	text := `{"model":"m","messages":[{"role":"user","content":"\\\"` + strings.Repeat("{[", MaxRequestElements) + `"}]}`
	if _, _, err := decodeRequest(strings.NewReader(text), protovalidate.GlobalValidator); err != nil {
		t.Fatalf("braces in a string: %v", err)
	}
}
