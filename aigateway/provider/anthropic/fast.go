package anthropic

import (
	"bytes"

	"github.com/footingdev/footing/aigateway/provider/internal/jsonscan"
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
	end := -1
	for i := 1; i < len(rest); i++ {
		c := rest[i]
		if c == '\\' {
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
	// Escapes and invalid UTF-8 are decoded as encoding/json does, with the
	// string as the one allocation.
	text, ok = jsonscan.Unquote(rest[:end+1])
	if !ok {
		return 0, "", false
	}
	return index, text, true
}
