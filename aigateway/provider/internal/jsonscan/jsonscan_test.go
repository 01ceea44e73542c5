package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// stringCases are string literals' bodies (quotes added by the tests): every
// escape, surrogate pairs and their failures, invalid UTF-8, control characters.
var stringCases = []string{
	``, `a`, `Hello`, `héllo 😀`, "\x7f", `a\nb`, `\"`, `\\`, `\/`, `\b\f\n\r\t`, `say \"hi\"\n\n- item\n`,
	`\u0000`, `\u001f`, `\u0041\u00e9\u4e16`, `\u00E9\u00e9`, `\ud83d\ude00`, `\uD83D\uDE00x`, `a\u2028b\u2029`,
	`\ud83d`, `\ude00`, `\ud83dx`, `\ud83d\n`, `\ud83d\ud83d\ude00`, `\ude00\ud83d`, `\ud83d\u0041`, `\udbff\udfff`, `\ud800\udc00`,
	`\ud83d\u`, `\ud83d\uZZZZ`, `\ud83d\ude0`, `\uDFFF\uDBFF`, `\ufffd`, `\uffff`, `\ufeff`,
	"\xff", "\xfe\xff", "a\xc3", "\xc3\x28", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf", "\xf0\x9f\x98", "\xf0\x9f\x98\x80",
	"\xff" + `\n`, `\n` + "\xe9t\xe9",
	// Refused by encoding/json.
	"\x00", "\x1f", "a\nb", "\t", `\`, `a\`, `\x41`, `\'`, `\a`, `\U0041`, `\u`, `\u12`, `\u123`, `\u12G4`, `\u-123`, `a"b`,
}

func TestUnquoteMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, body := range stringCases {
		lit := `"` + body + `"`
		var want string
		wantErr := json.Unmarshal([]byte(lit), &want)
		got, ok := Unquote([]byte(lit))
		if ok != (wantErr == nil) || got != want {
			t.Errorf("Unquote(%q) = %q, %v; encoding/json: %q, %v", lit, got, ok, want, wantErr)
		}
		// SetString and Scanner.String give the same answer, from an empty and
		// from a set string.
		for _, start := range []string{"", "sentinel", want} {
			dst, full := start, start
			fullErr := json.Unmarshal([]byte(lit), &full)
			if ok := SetString(&dst, []byte(lit)); ok != (fullErr == nil) || dst != full {
				t.Errorf("SetString(%q) from %q = %q, %v; encoding/json: %q, %v", lit, start, dst, ok, full, fullErr)
			}
			dst = start
			s := New([]byte(" " + lit + " "))
			if ok := s.String(&dst) && s.End(); ok != (fullErr == nil) || ok && dst != full {
				t.Errorf("Scanner.String(%q) from %q = %q, %v; encoding/json: %q, %v", lit, start, dst, ok, full, fullErr)
			}
		}
	}
}

func TestUnquoteExamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lit, want string
		ok        bool
	}{
		{`"a\nb"`, "a\nb", true},
		{`"\"q\" \\ \/"`, `"q" \ /`, true},
		{`"\u00e9\ud83d\ude00"`, "é😀", true},
		{`"\ud83d"`, "\uFFFD", true},
		{`"\ud83dx"`, "\uFFFDx", true},
		{`"\ude00\ud83d"`, "\uFFFD\uFFFD", true},
		{`"\ud83d\ud83d\ude00"`, "\uFFFD😀", true},
		{"\"a\xffb\"", "a\uFFFDb", true},
		{"\"\xed\xa0\x80\"", "\uFFFD\uFFFD\uFFFD", true},
		{"\"a\nb\"", "", false},
		{`"\x"`, "", false},
		{`"\u12"`, "", false},
		{`"a`, "", false},
		{`a"`, "", false},
		{`"`, "", false},
	}
	for _, tc := range tests {
		got, ok := Unquote([]byte(tc.lit))
		if got != tc.want || ok != tc.ok {
			t.Errorf("Unquote(%q) = %q, %v; want %q, %v", tc.lit, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSetStringAllocs(t *testing.T) {
	for _, tc := range []struct {
		lit    string
		allocs float64
	}{
		{`"Hello"`, 1},
		{`"line\nsay \"hi\" \u00e9\ud83d\ude00"`, 1},
		{"\"bad \xff utf-8\"", 1},
		{`"` + strings.Repeat(`long\n`, 2000) + `"`, 1},
		{`""`, 0},
	} {
		lit := []byte(tc.lit)
		var dst string
		if got := testing.AllocsPerRun(100, func() {
			dst = ""
			SetString(&dst, lit)
		}); got != tc.allocs {
			t.Errorf("SetString(%.20q...): %v allocations, want %v", tc.lit, got, tc.allocs)
		}
	}
	// Unchanged text keeps the string it has.
	dst, lit := "Hello", []byte(`"Hello"`)
	if got := testing.AllocsPerRun(100, func() { SetString(&dst, lit) }); got != 0 {
		t.Errorf("SetString of the same text: %v allocations, want 0", got)
	}
}

// FuzzString holds the string decoder to encoding/json: whenever the scanner
// accepts a string literal, encoding/json accepts it too and yields the same
// string; and since the scanner handles every escape JSON has, it accepts every
// string literal encoding/json accepts.
func FuzzString(f *testing.F) {
	for _, body := range stringCases {
		f.Add([]byte(`"` + body + `"`))
		f.Add([]byte(body))
	}
	f.Add([]byte(`null`))
	f.Add([]byte(` "a" `))
	f.Add([]byte(`"a" "b"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(in []byte) {
			const start = "sentinel"
			got, want := start, start
			s := New(in)
			ok := s.String(&got) && s.End()
			err := json.Unmarshal(in, &want)
			if ok && err != nil {
				t.Fatalf("scanner accepted %q (read %q), encoding/json refuses it: %v", in, got, err)
			}
			if ok && got != want {
				t.Fatalf("scanner read %q, encoding/json %q, from %q", got, want, in)
			}
			if !ok && err == nil && want != start {
				t.Fatalf("scanner refused %q, encoding/json read %q", in, want)
			}
			s = New(in)
			if lit, lok := s.Str(); lok && len(lit) == len(in) {
				v, ok := Unquote(lit)
				if ok != (err == nil) || (ok && v != want) {
					t.Fatalf("Unquote(%q) = %q, %v; encoding/json: %q, %v", in, v, ok, want, err)
				}
			}
			if len(in) >= 2 && in[0] == '"' && in[len(in)-1] == '"' {
				var w string
				werr := json.Unmarshal(in, &w)
				v, ok := Unquote(in)
				if ok != (werr == nil) || v != w {
					t.Fatalf("Unquote(%q) = %q, %v; encoding/json: %q, %v", in, v, ok, w, werr)
				}
				if !utf8.ValidString(v) {
					t.Fatalf("Unquote(%q) = %q: invalid UTF-8", in, v)
				}
			}
		}
		check(data)
		check([]byte(`"` + string(data) + `"`))
	})
}
