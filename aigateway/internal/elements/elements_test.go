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
		{`{"a":"{[,{["}`, 1, true},
		{`{"a\"{,":"\\"}`, 1, true},
		{`{"a":"\\\"{[" , "b":{}}`, 2, false},
		{`{"a":"\\\"{[" , "b":{}}`, 3, true},
		{`[` + strings.Repeat(`[],`, 9) + `[]]`, 20, true},
		{`[` + strings.Repeat(`[],`, 9) + `[]]`, 19, false},
		{`[` + strings.Repeat(`0,`, 9) + `0]`, 10, true},
		{`[` + strings.Repeat(`0,`, 9) + `0]`, 9, false},
	} {
		if got := JSON([]byte(tc.in), tc.limit); got != tc.want {
			t.Errorf("JSON(%s, %d) = %v, want %v", tc.in, tc.limit, got, tc.want)
		}
	}
}

// FuzzJSON holds JSON to the count of objects, arrays and commas of the tokens
// encoding/json reads.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":"{[,"}]}`, `["\"{", {}]`, `"\\"`, `[[[]]]`, `{"a":{},"a":{}}`, `[0,1,2]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		n := 0
		var open []int // tokens seen in each open object or array
		isObj := []bool{}
		d := json.NewDecoder(bytes.NewReader(b))
		for {
			tok, err := d.Token()
			if err != nil {
				break
			}
			switch tok {
			case json.Delim('}'), json.Delim(']'):
				members := open[len(open)-1]
				if isObj[len(isObj)-1] {
					members /= 2 // a key and its value
				}
				n += max(members-1, 0) // the commas between them
				open, isObj = open[:len(open)-1], isObj[:len(isObj)-1]
				continue
			}
			if len(open) > 0 {
				open[len(open)-1]++
			}
			if tok == json.Delim('{') || tok == json.Delim('[') {
				n++
				open, isObj = append(open, 0), append(isObj, tok == json.Delim('{'))
			}
		}
		if !JSON(b, n) || (n > 0 && JSON(b, n-1)) {
			t.Fatalf("%s holds %d objects, arrays and commas; JSON disagrees", b, n)
		}
	})
}
