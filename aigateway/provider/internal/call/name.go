package call

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// A Name decodes a JSON string, such as a model name repeated on every chunk,
// allocating only when it differs from the value it already holds. It decodes
// as encoding/json does: an escape-free name of valid UTF-8 is taken byte for
// byte, anything else (escapes, invalid UTF-8, which becomes U+FFFD) goes to
// encoding/json.
type Name struct{ S string }

// UnmarshalJSON implements json.Unmarshaler.
func (n *Name) UnmarshalJSON(b []byte) error {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b[1:len(b)-1]) {
		if string(b[1:len(b)-1]) != n.S {
			n.S = string(b[1 : len(b)-1])
		}
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	return json.Unmarshal(b, &n.S)
}
