package anthropic

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

var (
	textDeltaPrefix = []byte(`{"type":"content_block_delta","index":`)
	textDeltaMid    = []byte(`,"delta":{"type":"text_delta","text":`)
)

// fastTextDelta decodes the stream's most frequent event, a text_delta, without
// reflection when data is exactly in the API's own layout. ok is false for any
// other shape; the caller then decodes the event in full. FuzzFastTextDelta holds
// it to the full decoder's answer.
func fastTextDelta(data []byte) (index int, text string, ok bool) {
	rest, ok := bytes.CutPrefix(data, textDeltaPrefix)
	if !ok {
		return 0, "", false
	}
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	if n == 0 || n > 9 || (n > 1 && rest[0] == '0') {
		return 0, "", false
	}
	for _, c := range rest[:n] {
		index = index*10 + int(c-'0')
	}
	rest, ok = bytes.CutPrefix(rest[n:], textDeltaMid)
	if !ok || len(rest) < 2 || rest[0] != '"' {
		return 0, "", false
	}
	end, escaped := -1, false
	for i := 1; i < len(rest); i++ {
		c := rest[i]
		if c == '\\' {
			escaped = true
			i++
			continue
		}
		if c < 0x20 {
			return 0, "", false
		}
		if c == '"' {
			end = i
			break
		}
	}
	if end < 0 || string(rest[end+1:]) != "}}" {
		return 0, "", false
	}
	lit := rest[:end+1]
	if !escaped {
		if !utf8.Valid(lit) {
			return 0, "", false
		}
		return index, string(lit[1 : len(lit)-1]), true
	}
	if !utf8.Valid(lit) || json.Unmarshal(lit, &text) != nil {
		return 0, "", false
	}
	return index, text, true
}
