package anthropic

import (
	"encoding/json"
	"testing"
)

// FuzzFastTextDelta holds the fast path to the full decoder: whenever it accepts
// an event, the full decoder reads the same event the same way.
func FuzzFastTextDelta(f *testing.F) {
	for _, s := range []string{
		`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`,
		`{"type":"content_block_delta","index":12,"delta":{"type":"text_delta","text":"a\"b\\c\nd\u00e9\ud83d\ude00"}}`,
		`{"type":"content_block_delta","index":01,"delta":{"type":"text_delta","text":"x"}}`,
		`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}} `,
		`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x\"}}`,
		`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"` + "\xff" + `"}}`,
		`{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		index, text, ok := fastTextDelta(data)
		if !ok {
			return
		}
		var ev event
		if err := json.Unmarshal(data, &ev); err != nil {
			t.Fatalf("fast path accepted what the decoder rejects (%v): %q", err, data)
		}
		if ev.Type != "content_block_delta" || ev.Index != index || ev.Delta.Type != "text_delta" || ev.Delta.Text != text {
			t.Fatalf("fast path read %d %q, decoder %+v, from %q", index, text, ev, data)
		}
	})
}

func TestFastTextDelta(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		idx  int
		text string
		ok   bool
	}{
		{`{"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"Hi"}}`, 3, "Hi", true},
		{`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"line\nnext \"q\""}}`, 0, "line\nnext \"q\"", true},
		{`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""}}`, 0, "", true},
		{`{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "x"}}`, 0, "", false},
		{`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x","extra":1}}`, 0, "", false},
		{`{"type":"content_block_delta","index":-1,"delta":{"type":"text_delta","text":"x"}}`, 0, "", false},
	}
	for _, tc := range tests {
		idx, text, ok := fastTextDelta([]byte(tc.in))
		if idx != tc.idx || text != tc.text || ok != tc.ok {
			t.Errorf("fastTextDelta(%s) = %d %q %v, want %d %q %v", tc.in, idx, text, ok, tc.idx, tc.text, tc.ok)
		}
	}
}
