package elements

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in    string
		limit int
		want  bool
	}{
		{`{}`, 1, true},
		{`{"a":[]}`, 1, false},
		{`{"a":[]}`, 2, true},
		{`{"a":"{[{["}`, 1, true},
		{`{"a\"{":"\\"}`, 1, true},
		{`{"a":"\\\"{[" , "b":{}}`, 1, false},
		{`[` + strings.Repeat(`[],`, 9) + `[]]`, 11, true},
		{`[` + strings.Repeat(`[],`, 9) + `[]]`, 10, false},
	} {
		if got := JSON([]byte(tc.in), tc.limit); got != tc.want {
			t.Errorf("JSON(%s, %d) = %v, want %v", tc.in, tc.limit, got, tc.want)
		}
	}
}

// FuzzJSON holds JSON to the count of objects and arrays encoding/json reads.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":"{["}]}`, `["\"{", {}]`, `"\\"`, `[[[]]]`, `{"a":{},"a":{}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		n := 0
		d := json.NewDecoder(bytes.NewReader(b))
		for {
			tok, err := d.Token()
			if err != nil {
				break
			}
			if tok == json.Delim('{') || tok == json.Delim('[') {
				n++
			}
		}
		if !JSON(b, n) || (n > 0 && JSON(b, n-1)) {
			t.Fatalf("%s holds %d objects and arrays; JSON disagrees", b, n)
		}
	})
}
