package gemini

import (
	"bufio"
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/footingdev/footing/aigateway/providertest"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

const (
	// Chunks as the Gemini API sends them (Google's spacing, fields it adds
	// that the decoder does not read).
	textChunk    = `{"candidates": [{"content": {"parts": [{"text": "Hello"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 8,"totalTokenCount": 8,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 8}]},"modelVersion": "gemini-2.5-flash","responseId": "pNmDaMyqIqWm1PIP9eqAiQo"}`
	finishChunk  = `{"candidates": [{"content": {"parts": [{"text": " world.\n\"ok\" \u00e9\ud83d\ude00"}],"role": "model"},"finishReason": "STOP","index": 0,"safetyRatings": [{"category": "HARM_CATEGORY_HATE_SPEECH","probability": "NEGLIGIBLE","blocked": false}],"citationMetadata": {"citationSources": [{"startIndex": 1,"endIndex": 20,"uri": "https://example.com"}]},"avgLogprobs": -0.12345e-1}],"usageMetadata": {"promptTokenCount": 8,"candidatesTokenCount": 12,"totalTokenCount": 44,"cachedContentTokenCount": 4,"thoughtsTokenCount": 20,"cacheTokensDetails": [{"modality": "TEXT","tokenCount": 4}]},"modelVersion": "gemini-2.5-flash","createTime": "2025-07-25T19:09:40.123456Z","responseId": "x"}`
	thoughtChunk = `{"candidates": [{"content": {"parts": [{"text": "**Thinking**","thought": true},{"text": "Hi","thoughtSignature": "CiQB0e2Kb"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 8,"totalTokenCount": 30,"thoughtsTokenCount": 22},"modelVersion": "gemini-2.5-pro"}`
	usageOnly    = `{"usageMetadata": {"promptTokenCount": 8,"candidatesTokenCount": 12,"totalTokenCount": 20},"modelVersion": "gemini-2.5-flash","responseId": "x"}`
	toolChunk    = `{"candidates": [{"content": {"parts": [{"functionCall": {"name": "get_weather","args": {"city": "Paris"}}}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 5}}`
	twoCands     = `{"candidates": [{"content": {"parts": [{"text": "a"}]},"index": 0},{"content": {"parts": [{"text": "b"}]},"index": 1}]}`
	blocked      = `{"promptFeedback": {"blockReason": "SAFETY","safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT","probability": "HIGH"}]},"usageMetadata": {"promptTokenCount": 5,"totalTokenCount": 5}}`
	errorChunk   = `{"error": {"code": 500,"message": "An internal error has occurred.","status": "INTERNAL"}}`
	// groundedChunk ends an answer grounded with Google Search: the search results
	// fed back to the model are toolUsePromptTokenCount, outside promptTokenCount
	// (totalTokenCount = 12 + 9 + 214 + 96).
	groundedChunk = `{"candidates": [{"content": {"parts": [{"text": "Spain won Euro 2024."}],"role": "model"},"finishReason": "STOP","index": 0,"groundingMetadata": {"searchEntryPoint": {"renderedContent": "<style>.container {}</style>"},"groundingChunks": [{"web": {"uri": "https://vertexaisearch.cloud.google.com/grounding-api-redirect/AbF9wXE","title": "uefa.com"}}],"groundingSupports": [{"segment": {"endIndex": 20,"text": "Spain won Euro 2024."},"groundingChunkIndices": [0]}],"webSearchQueries": ["who won euro 2024"]}}],"usageMetadata": {"promptTokenCount": 12,"candidatesTokenCount": 9,"totalTokenCount": 331,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 12}],"toolUsePromptTokenCount": 214,"toolUsePromptTokensDetails": [{"modality": "TEXT","tokenCount": 214}],"thoughtsTokenCount": 96},"modelVersion": "gemini-2.5-flash","responseId": "x"}`
)

// fakeChunks returns the data lines of streams rendered by the providertest fake.
func fakeChunks(tb testing.TB) []string {
	tb.Helper()
	var out []string
	for _, r := range []providertest.Reply{
		{Steps: []providertest.Step{{Text: "Hello"}, {Text: " world"}}},
		{Steps: []providertest.Step{{Text: "a\n\"b\"\t<é>"}}, UsageOnlyChunk: true, Finish: aiv1.FinishReason_FINISH_REASON_LENGTH,
			Usage: &aiv1.Usage{InputTokens: 1117, OutputTokens: 46, CacheReadTokens: 1024, ReasoningTokens: 12}},
		{Steps: []providertest.Step{{Text: "x"}, {ToolCall: &providertest.ToolCallStep{ID: "c1", Name: "f", Args: `{"a":1}`}}}},
		{Steps: []providertest.Step{{Error: &providertest.Failure{Message: "boom"}}}},
		{Steps: []providertest.Step{{Text: "grounded"}}, ToolUsePromptTokens: 214,
			Usage: &aiv1.Usage{InputTokens: 226, OutputTokens: 105, CacheReadTokens: 4, ReasoningTokens: 96}},
	} {
		body, err := providertest.Render(providertest.Gemini, "gemini-2.5-flash", r)
		if err != nil {
			tb.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(body))
		for sc.Scan() {
			if d, ok := bytes.CutPrefix(bytes.TrimRight(sc.Bytes(), "\r"), []byte("data: ")); ok {
				out = append(out, string(d))
			}
		}
	}
	return out
}

func freshResponse() *stream {
	s := &stream{model: "m0"}
	s.reset()
	return s
}

// warmResponse is a stream whose fast path has already decoded chunks, so its
// memory is reused.
func warmResponse() *stream {
	s := freshResponse()
	for _, c := range []string{thoughtChunk, finishChunk} {
		s.reset()
		s.fast.decode([]byte(c), &s.r)
	}
	s.reset()
	return s
}

// checkFast decodes data with the fast path and, when it answers, with
// encoding/json, from a fresh stream and from a warm one (as the stream resets
// its response before either), and fails on any difference.
func checkFast(t *testing.T, data []byte) (ok bool) {
	t.Helper()
	for i, state := range []func() *stream{freshResponse, warmResponse} {
		fast, full := state(), state()
		got := fast.fast.decode(data, &fast.r)
		if i > 0 && got != ok {
			t.Fatalf("fast path answered %v fresh, %v warm, for %q", ok, got, data)
		}
		ok = got
		if !ok {
			continue
		}
		if err := json.Unmarshal(data, &full.r); err != nil {
			t.Fatalf("fast path accepted what the decoder rejects (%v): %q", err, data)
		}
		if !reflect.DeepEqual(fast.r, full.r) {
			t.Fatalf("fast path read %+v, decoder %+v, from %q", fast.r, full.r, data)
		}
	}
	return ok
}

func TestFastFakeChunks(t *testing.T) {
	t.Parallel()
	n := 0
	for _, c := range fakeChunks(t) {
		ok := checkFast(t, []byte(c))
		wantOK := !bytes.Contains([]byte(c), []byte(`"functionCall"`)) && !bytes.Contains([]byte(c), []byte(`"error"`))
		if ok != wantOK {
			t.Errorf("fast path answered %v, want %v, for %s", ok, wantOK, c)
		}
		n++
	}
	if n < 8 {
		t.Fatalf("only %d chunks rendered", n)
	}
}

func TestFastResponse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		ok       bool
		text     string // the parts' text, thoughts left out
		finish   string
		usage    *usageMetadata
		model    string
	}{
		{"text", textChunk, true, "Hello", "", &usageMetadata{PromptTokenCount: 8}, "gemini-2.5-flash"},
		{"finish with safety ratings", finishChunk, true, " world.\n\"ok\" é😀", "STOP",
			&usageMetadata{PromptTokenCount: 8, CandidatesTokenCount: 12, CachedContentTokenCount: 4, ThoughtsTokenCount: 20}, "gemini-2.5-flash"},
		{"thought", thoughtChunk, true, "Hi", "", &usageMetadata{PromptTokenCount: 8, ThoughtsTokenCount: 22}, "gemini-2.5-pro"},
		{"usage only", usageOnly, true, "", "", &usageMetadata{PromptTokenCount: 8, CandidatesTokenCount: 12}, "gemini-2.5-flash"},
		{"grounded, with tool-use prompt tokens", groundedChunk, true, "Spain won Euro 2024.", "STOP",
			&usageMetadata{PromptTokenCount: 12, CandidatesTokenCount: 9, ToolUsePromptTokenCount: 214, ThoughtsTokenCount: 96}, "gemini-2.5-flash"},
		{"compact, other order", `{"modelVersion":"v","usageMetadata":null,"candidates":[{"finishReason":"MAX_TOKENS","content":{"role":"model","parts":[{"text":"a"},{"text":"b"}]}}]}`, true, "ab", "MAX_TOKENS", nil, "v"},
		{"escapes", `{"candidates":[{"content":{"parts":[{"text":"a\n\"q\" \\ \/\t"},{"text":"\u00e9\ud83d\ude00 \ude00!"}]},"finishReason":"\u0053TOP"}]}`, true, "a\n\"q\" \\ /\té😀 \uFFFD!", "STOP", nil, "m0"},
		{"invalid UTF-8 and an escape", "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"a\xffb\\n\"}]}}]}", true, "a\uFFFDb\n", "", nil, "m0"},
		{"raw control character falls back", "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"a\nb\"}]}}]}", false, "", "", nil, ""},
		{"invalid escape falls back", `{"candidates":[{"content":{"parts":[{"text":"a\qb"}]}}]}`, false, "", "", nil, ""},
		{"spaces", "{ \"candidates\" : [ { \"content\" : { \"parts\" : [ { \"text\" : \"x\" } ] } } ] }\r\n", true, "x", "", nil, "m0"},
		{"nulls", `{"candidates":[{"content":{"parts":[{"text":null,"thought":null,"functionCall":null}]},"finishReason":null}],"modelVersion":null,"promptFeedback":null,"error":null}`, true, "", "", nil, "m0"},
		{"function call falls back", toolChunk, false, "", "", nil, ""},
		{"two candidates fall back", twoCands, false, "", "", nil, ""},
		{"prompt feedback falls back", blocked, false, "", "", nil, ""},
		{"error falls back", errorChunk, false, "", "", nil, ""},
		{"key in another case falls back", `{"Candidates":[{"content":{"parts":[{"text":"x"}]}}]}`, false, "", "", nil, ""},
		{"part key in another case falls back", `{"candidates":[{"content":{"parts":[{"Text":"x"}]}}]}`, false, "", "", nil, ""},
		{"usage key in another case falls back", `{"usageMetadata":{"PromptTokenCount":1}}`, false, "", "", nil, ""},
		{"tool-use key in another case falls back", `{"usageMetadata":{"ToolUsePromptTokenCount":1}}`, false, "", "", nil, ""},
		{"tool-use details skipped", `{"usageMetadata":{"toolUsePromptTokensDetails":[{"modality":"TEXT","tokenCount":3}],"toolUsePromptTokenCount":3}}`, true, "", "",
			&usageMetadata{ToolUsePromptTokenCount: 3}, "m0"},
		{"escaped key falls back", `{"candid\u0061tes":[]}`, false, "", "", nil, ""},
		{"duplicate candidates fall back", `{"candidates":[],"candidates":[]}`, false, "", "", nil, ""},
		{"duplicate usage falls back", `{"usageMetadata":{"promptTokenCount":1},"usageMetadata":{"candidatesTokenCount":2}}`, false, "", "", nil, ""},
		{"duplicate content falls back", `{"candidates":[{"content":{},"content":{}}]}`, false, "", "", nil, ""},
		{"duplicate parts fall back", `{"candidates":[{"content":{"parts":[],"parts":[]}}]}`, false, "", "", nil, ""},
		{"fraction falls back", `{"usageMetadata":{"promptTokenCount":1.5}}`, false, "", "", nil, ""},
		{"exponent falls back", `{"usageMetadata":{"promptTokenCount":1e3}}`, false, "", "", nil, ""},
		{"negative falls back", `{"usageMetadata":{"promptTokenCount":-1}}`, false, "", "", nil, ""},
		{"huge falls back", `{"usageMetadata":{"promptTokenCount":12345678901234567890}}`, false, "", "", nil, ""},
		{"string count falls back", `{"usageMetadata":{"promptTokenCount":"1"}}`, false, "", "", nil, ""},
		{"truncated", textChunk[:len(textChunk)-1], false, "", "", nil, ""},
		{"trailing garbage", textChunk + "x", false, "", "", nil, ""},
		{"not an object", `null`, false, "", "", nil, ""},
		{"thought not a bool", `{"candidates":[{"content":{"parts":[{"text":"x","thought":1}]}}]}`, false, "", "", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ok := checkFast(t, []byte(tc.in))
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			s := freshResponse()
			s.fast.decode([]byte(tc.in), &s.r)
			var text, finish string
			if len(s.r.Candidates) > 0 {
				for _, p := range s.r.Candidates[0].Content.Parts {
					if !p.Thought {
						text += p.Text
					}
				}
				finish = s.r.Candidates[0].FinishReason
			}
			if text != tc.text || finish != tc.finish || s.r.ModelVersion.S != tc.model || !reflect.DeepEqual(s.r.UsageMetadata, tc.usage) {
				t.Fatalf("text %q finish %q model %q usage %+v", text, finish, s.r.ModelVersion.S, s.r.UsageMetadata)
			}
		})
	}
}

// FuzzFastResponse holds the fast path to the full decoder: whenever it accepts
// a chunk, encoding/json accepts it too and reads it the same way.
func FuzzFastResponse(f *testing.F) {
	for _, s := range fakeChunks(f) {
		f.Add([]byte(s))
	}
	for _, s := range []string{textChunk, finishChunk, thoughtChunk, usageOnly, toolChunk, twoCands, blocked, errorChunk, groundedChunk,
		`{"usageMetadata":{"toolUsePromptTokenCount":1,"TOOLUSEPROMPTTOKENCOUNT":2}}`, `{"usageMetadata":{"toolUsePromptTokenCount":null}}`,
		`{"usageMetadata":{"toolUsePromptTokenCount":-1}}`, `{"usageMetadata":{"toolUsePromptTokenCount":7,"toolUsePromptTokenCount":8}}`,
		`{"candidates":[{"content":{"parts":[{"text":"x","functionCall":{"name":"f","args":null}}]}}]}`,
		`{"candidates":[{"content":{"parts":[{"text":"a","text":"b","text":null,"thought":true,"thought":false}]},"finishReason":"STOP","finishReason":null}]}`,
		`{"candidates":[{"content":{"parts":[{"text":"` + "\xff\xfe" + `"}]}}],"modelVersion":"` + "\xff" + `"}`,
		`{"modelVersion":"a\u00e9","modelVersion":"b"}`, `{"modelVersion":"a","modelVersion":null}`,
		`{"candidates":null}`, `{"candidates":[]}`, `{"candidates":[{}]}`, `{"candidates":[{"content":null}]}`,
		`{"candidates":[{"content":{"parts":null}}]}`, `{"candidates":[{"content":{"parts":[]}}]}`, `{"candidates":[{"content":{"parts":[{}]}}]}`,
		`{"candidates":[null]}`, `{"candidates":[{"content":{"parts":[null]}}]}`,
		`{"candidateſ":[]}`, `{"usageMetadata":{"promptTokenCount":1,"promptTokenCount":null,"candidatesTokenCount":00}}`,
		`{"usageMetadata":{"thoughtsTokenCount":1,"THOUGHTSTOKENCOUNT":2}}`, `{"usageMetadata":{"cachedContentTokenCount":-0}}`,
		`{"x":[[[[{}]]]],"y":-0.0e+1,"z":"\u12"}`, `{"x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
		// Escaped text, decoded by the scanner itself.
		`{"candidates":[{"content":{"parts":[{"text":"line\n\"quoted\" \\ \/ \b\f\r\t"},{"text":"\u00e9\ud83d\ude00 \ud83d \ude00\ud83d\u0041 \u0000"}]},"finishReason":"ST\u004fP"}]}`,
		`{"candidates":[{"content":{"parts":[{"text":"\ud83d\u12"}]}}]}`, `{"candidates":[{"content":{"parts":[{"text":"\'"}]}}]}`,
		"{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"a\\n\xff\xed\xa0\x80\xf0\x9f\x98\"}]}}]}",
		"{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"a\tb\"}]}}]}",
		`{}`, `[]`, `1`, `{"error":{}}`, `{"promptFeedback":{}}`, `{"candidates":[{"safetyRatings":[{"category":"HARM_CATEGORY_HARASSMENT","probability":"MEDIUM","blocked":true}],"finishReason":"SAFETY"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFast(t, data)
	})
}
