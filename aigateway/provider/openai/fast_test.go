package openai

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/footingdev/footing/aigateway/provider/internal/call"
)

const (
	contentChunk = `{"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-mini","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null}`
	roleChunk    = `{"id":"x","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}`
	finishChunk  = `{"id":"x","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}`
	// vLLM and llama.cpp order the fields differently and add their own.
	otherOrder = `{"choices":[{"finish_reason":null,"index":0,"delta":{"content":"a\"b\\c\n\u00e9\ud83d\ude00"},"logprobs":{"content":[{"token":"a","logprob":-0.5,"bytes":[97]}]}}],"created":1.5e9,"id":"c","model":"llama","object":"chat.completion.chunk","timings":{"ms":[1,2.5,-3e-2]},"flag":true}`
	toolChunk  = `{"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","type":"function","function":{"name":"f","arguments":""}}]},"finish_reason":null}]}`
	// A structured-outputs refusal: the first chunk and a refusal delta.
	refusalRoleChunk = `{"id":"chatcmpl-9tXmMGFPkLS0t0u0895fzYOblnfYa","object":"chat.completion.chunk","created":1723024914,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_845eaabc1f","choices":[{"index":0,"delta":{"role":"assistant","content":null,"refusal":""},"logprobs":null,"finish_reason":null}]}`
	refusalChunk     = `{"id":"chatcmpl-9tXmMGFPkLS0t0u0895fzYOblnfYa","object":"chat.completion.chunk","created":1723024914,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_845eaabc1f","choices":[{"index":0,"delta":{"refusal":" I can\u0027t"},"logprobs":null,"finish_reason":null}]}`
	usageChunk       = `{"model":"m","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`
	// OpenAI's usage chunk, as the providertest fake renders it.
	fullUsageChunk = `{"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-mini","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[],"usage":{"prompt_tokens":1117,"completion_tokens":46,"total_tokens":1163,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":12,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}`
)

func TestFastChunkUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		ok       bool
		want     *usage
	}{
		{"short", usageChunk, true, &usage{PromptTokens: 1, CompletionTokens: 2}},
		{"full", fullUsageChunk, true, func() *usage {
			u := &usage{PromptTokens: 1117, CompletionTokens: 46}
			u.PromptTokensDetails.CachedTokens, u.CompletionTokensDetails.ReasoningTokens = 1024, 12
			return u
		}()},
		{"null details and counts", `{"choices":[],"usage":{"prompt_tokens":null,"completion_tokens":5,"prompt_tokens_details":null}}`, true, &usage{CompletionTokens: 5}},
		{"null usage", `{"choices":[],"usage":null}`, true, nil},
		{"fraction falls back", `{"choices":[],"usage":{"prompt_tokens":1.5}}`, false, nil},
		{"exponent falls back", `{"choices":[],"usage":{"prompt_tokens":1e3}}`, false, nil},
		{"negative falls back", `{"choices":[],"usage":{"prompt_tokens":-1}}`, false, nil},
		{"huge falls back", `{"choices":[],"usage":{"prompt_tokens":1234567890123456789}}`, false, nil},
		{"string count falls back", `{"choices":[],"usage":{"prompt_tokens":"1"}}`, false, nil},
		{"key in another case falls back", `{"choices":[],"usage":{"Prompt_Tokens":1}}`, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := freshChunk()
			ok := fastChunk([]byte(tc.in), &c)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if ok && !reflect.DeepEqual(c.Usage, tc.want) {
				t.Fatalf("usage %+v, want %+v", c.Usage, tc.want)
			}
		})
	}
}

func freshChunk() chunk { return chunk{Choices: make([]chunkChoice, 0, 1), Model: call.Name{S: "m0"}} }

func TestFastChunk(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		ok       bool
		content  string
		finish   string
	}{
		{"content", contentChunk, true, "Hello", ""},
		{"role", roleChunk, true, "", ""},
		{"finish", finishChunk, true, "", "stop"},
		{"other order and fields", otherOrder, true, "a\"b\\c\né😀", ""},
		{"escapes", `{"choices":[{"index":0,"delta":{"content":"line\n\"q\" \\ \/\t\u00e9\ud83d\ude00 \ud83d!"},"finish_reason":"\u0073top"}]}`, true, "line\n\"q\" \\ /\té😀 \uFFFD!", "stop"},
		{"invalid UTF-8 and an escape", "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\xffb\\n\"}}]}", true, "a\uFFFDb\n", ""},
		{"raw control character falls back", "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\nb\"}}]}", false, "", ""},
		{"invalid escape falls back", `{"choices":[{"index":0,"delta":{"content":"a\qb"}}]}`, false, "", ""},
		{"spaces", "{ \"model\" : \"m\" ,\n \"choices\" : [ { \"index\" : 0 , \"delta\" : { \"content\" : \"x\" } } ] }\n", true, "x", ""},
		{"tool calls fall back", toolChunk, false, "", ""},
		{"key in another case falls back", `{"Choices":[{"index":0,"delta":{"content":"x"}}]}`, false, "", ""},
		{"escaped key falls back", `{"choic\u0065s":[]}`, false, "", ""},
		{"trailing garbage", contentChunk + "x", false, "", ""},
		{"refusal role", refusalRoleChunk, true, "", ""},
		{"refusal key in another case falls back", `{"choices":[{"index":0,"delta":{"Refusal":"x"}}]}`, false, "", ""},
		{"negative index falls back", `{"choices":[{"index":-1,"delta":{"content":"x"}}]}`, false, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := freshChunk()
			ok := fastChunk([]byte(tc.in), &c)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			if len(c.Choices) != 1 || c.Choices[0].Delta.Content != tc.content || c.Choices[0].FinishReason != tc.finish {
				t.Fatalf("got %+v", c)
			}
		})
	}
}

// FuzzFastChunk holds the fast path to the full decoder: whenever it accepts an
// event, encoding/json accepts it too and reads it the same way.
func FuzzFastChunk(f *testing.F) {
	for _, s := range []string{contentChunk, roleChunk, finishChunk, otherOrder, toolChunk, usageChunk,
		`{"choices":[{"index":0,"delta":{"content":"x"}},{"index":1,"delta":{"content":"y"},"finish_reason":"length"}]}`,
		`{"model":null,"choices":[{"index":0,"delta":{"content":null,"tool_calls":null},"finish_reason":null}],"error":null}`,
		`{"model":"a","model":"b","choices":[{"delta":{"content":"1"},"delta":{"content":"2"}}]}`,
		`{"choices":[{"delta":{"content":"` + "\xff\xfe" + `"}}]}`,
		`{"x":[[[[{}]]]],"y":-0.0e+1,"z":"\u12"}`,
		`{"choiceſ":[]}`, `null`, `{}`, `{"choices":null}`, fullUsageChunk,
		`{"usage":{"prompt_tokens":1},"usage":null}`, `{"usage":{"prompt_tokens":1},"usage":{"completion_tokens":2,"prompt_tokens":null}}`,
		`{"usage":{"prompt_tokens_details":{"cached_tokens":3},"prompt_tokens_details":{"audio_tokens":1}}}`,
		`{"usage":{"prompt_tokens":0,"completion_tokens":00}}`, "{\"model\":\"\xff\",\"choices\":[]}", `{"model":"\u00e9\n"}`, `{"usage":{"completion_tokens_details":{"Reasoning_tokens":1}}}`,
		// Escaped text, decoded by the scanner itself.
		`{"choices":[{"index":0,"delta":{"content":"line\n\"quoted\" \\ \/ \b\f\r\t"},"finish_reason":"st\u006fp"}]}`,
		`{"choices":[{"index":0,"delta":{"content":"\ud83d\ude00 \ud83d \ude00\ud83d\u0041 \uDBFF\uDFFF \u0000"}}]}`,
		`{"choices":[{"index":0,"delta":{"content":"\ud83d\u12"}}]}`, `{"choices":[{"index":0,"delta":{"content":"\x"}}]}`,
		"{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\\n\xff\xed\xa0\x80\xf0\x9f\x98\"}}]}",
		"{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\nb\"}}]}",
		`{"choices":[{"index":0,"delta":{"content":"a\nb","content":"c\td"},"finish_reason":"\"","finish_reason":null}]}`,
		// Refusals, as structured outputs stream them.
		refusalRoleChunk, refusalChunk, `{"choices":[{"delta":{"refusal":"a","refusal":null,"Refusal":"b"}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fast := freshChunk()
		if !fastChunk(data, &fast) {
			return
		}
		full := freshChunk()
		if err := json.Unmarshal(data, &full); err != nil {
			t.Fatalf("fast path accepted what the decoder rejects (%v): %q", err, data)
		}
		if !reflect.DeepEqual(fast, full) {
			t.Fatalf("fast path read %+v, decoder %+v, from %q", fast, full, data)
		}
	})
}

// The fast path reads a refusal delta as encoding/json does.
func TestFastChunkRefusal(t *testing.T) {
	t.Parallel()
	c := freshChunk()
	if !fastChunk([]byte(refusalChunk), &c) || len(c.Choices) != 1 || c.Choices[0].Delta.Refusal != " I can't" || c.Choices[0].Delta.Content != "" {
		t.Fatalf("got %+v", c)
	}
}
