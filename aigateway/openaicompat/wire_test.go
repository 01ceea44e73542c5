package openaicompat

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzAppendChunk holds the hand-written chunk encoder to encoding/json, byte for
// byte.
func FuzzAppendChunk(f *testing.F) {
	f.Add("chatcmpl-1", "gpt-4o-mini", int64(1741570283), 0, "assistant", "Hello", "")
	f.Add("x", "m", int64(-1), 3, "", "", "stop")
	f.Add("<&>", "m\u2028\u2029", int64(0), 0, "", "a\"b\\c\n\r\t\b\f\x00\x1f\x7f é😀 \xff\xfe", "length")
	f.Fuzz(func(t *testing.T, id, model string, created int64, index int, role, content, finish string) {
		d := delta{Role: role, Content: content}
		ch := choice{Index: index, Delta: &d}
		if finish != "" {
			ch.FinishReason = &finish
		}
		c := completion{ID: id, Object: "chat.completion.chunk", Created: created, Model: model, Choices: []choice{ch}}
		want, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendChunk(nil, c); !bytes.Equal(got, want) {
			t.Fatalf("appendChunk:\n%s\nencoding/json:\n%s", got, want)
		}
		if index != 0 {
			return
		}
		var out bytes.Buffer
		newEventWriter(&out).text(id, model, created, role, content, finish)
		if got := out.Bytes(); !bytes.Equal(got, append(append([]byte("data: "), want...), "\n\n"...)) {
			t.Fatalf("text:\n%s\nencoding/json:\n%s", got, want)
		}
	})
}

// TestEventWriterTextAllocs is not parallel: AllocsPerRun counts every
// goroutine's allocations.
func TestEventWriterTextAllocs(t *testing.T) {
	var out bytes.Buffer
	enc := newEventWriter(&out)
	enc.text("chatcmpl-1", "gpt-4o-mini", 1, "assistant", "Hello", "") // grows the buffers
	if n := testing.AllocsPerRun(100, func() { out.Reset(); enc.text("chatcmpl-1", "gpt-4o-mini", 1, "", " upstream", "stop") }); n != 0 {
		t.Errorf("%v allocations per text event", n)
	}
	if got := out.String(); got != `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":" upstream"},"finish_reason":"stop"}]}`+"\n\n" {
		t.Errorf("got %q", got)
	}
}

// TestEventWriterChunkAllocs is not parallel: AllocsPerRun counts every
// goroutine's allocations.
func TestEventWriterChunkAllocs(t *testing.T) {
	var out bytes.Buffer
	enc := newEventWriter(&out)
	d := delta{Content: " upstream"}
	c := completion{ID: "chatcmpl-1", Object: "chat.completion.chunk", Created: 1, Model: "gpt-4o-mini", Choices: []choice{{Delta: &d}}}
	enc.chunk(c) // grows the buffers
	if n := testing.AllocsPerRun(100, func() { out.Reset(); enc.chunk(c) }); n != 0 {
		t.Errorf("%v allocations per chunk event", n)
	}
	if got := out.String(); got != `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":" upstream"},"finish_reason":null}]}`+"\n\n" {
		t.Errorf("got %q", got)
	}
}
