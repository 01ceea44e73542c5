package call

import (
	"encoding/json"
	"testing"
)

// FuzzName holds Name to encoding/json: for every JSON string literal (and null),
// starting from any previous value, Name ends with what json.Unmarshal into a
// string gives.
func FuzzName(f *testing.F) {
	for _, s := range []string{`"gpt-4o"`, `"gpt-\u00e9"`, "\"gpt-\xff\"", "\"caf\xc3\xa9\"", `"a\"b"`, `null`, `""`, "\"\xed\xa0\x80\""} {
		f.Add([]byte(s), "gpt-4o")
	}
	f.Fuzz(func(t *testing.T, lit []byte, prev string) {
		want := prev
		if err := json.Unmarshal(lit, &want); err != nil {
			return // not a string literal: the stream decoders never pass one
		}
		n := Name{S: prev}
		if err := n.UnmarshalJSON(lit); err != nil {
			t.Fatalf("UnmarshalJSON(%q): %v", lit, err)
		}
		if n.S != want {
			t.Fatalf("UnmarshalJSON(%q) = %q, encoding/json gives %q", lit, n.S, want)
		}
	})
}

func TestNameInvalidUTF8(t *testing.T) {
	var n Name
	if err := n.UnmarshalJSON([]byte("\"model-\xff\"")); err != nil {
		t.Fatal(err)
	}
	if n.S != "model-\uFFFD" {
		t.Fatalf("got %q, want the invalid byte replaced by U+FFFD as encoding/json does", n.S)
	}
}
