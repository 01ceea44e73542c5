package logging

import (
	"math/rand/v2"
	"testing"
	"unicode/utf8"
)

// TestJSONSafe8 checks the word-at-a-time test against the byte table: every
// byte value at every position of a word otherwise safe, and random words.
func TestJSONSafe8(t *testing.T) {
	t.Parallel()
	want := func(s string) bool {
		for i := range len(s) {
			if s[i] >= utf8.RuneSelf || !jsonSafe[s[i]] {
				return false
			}
		}
		return true
	}
	for pos := range 8 {
		for c := range 256 {
			w := []byte("abcdefgh")
			w[pos] = byte(c)
			if got := jsonSafe8(string(w)); got != want(string(w)) {
				t.Fatalf("jsonSafe8(%q) = %v", w, got)
			}
			// A second byte elsewhere, safe or not, must not hide the first.
			w[(pos+3)%8] = byte(255 - c)
			if got := jsonSafe8(string(w)); got != want(string(w)) {
				t.Fatalf("jsonSafe8(%q) = %v", w, got)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var w [8]byte
		for i := range w {
			// Mostly the interesting values: around 0x20, the quote, the
			// backslash and 0x80.
			switch r.IntN(3) {
			case 0:
				w[i] = byte(r.IntN(256))
			case 1:
				w[i] = []byte{0x1f, 0x20, 0x21, '"', '\\', 0x7f, 0x80, 0xff, 0x00, 'a'}[r.IntN(10)]
			default:
				w[i] = byte(0x20 + r.IntN(0x60))
			}
		}
		if got := jsonSafe8(string(w[:])); got != want(string(w[:])) {
			t.Fatalf("jsonSafe8(%q) = %v", w, got)
		}
	}
}

// TestAppendJSONStringSkipsWords compares appendJSONString with the byte-by-byte
// loop it was (slog's), for strings with bytes that need escaping at every
// offset around the eight-byte words.
func TestAppendJSONStringSkipsWords(t *testing.T) {
	t.Parallel()
	specials := []string{"\"", "\\", "\n", "\x00", "\x1f", "\x7f", "é", "\u2028", "\u2029", "\xff", "\xe2\x80", "😀"}
	base := "/footing.ai.v1.AIGatewayService/Complete"
	var cases []string
	for n := range len(base) + 1 {
		cases = append(cases, base[:n])
		for _, sp := range specials {
			cases = append(cases, base[:n]+sp+base[n:], sp+base[:n], base[:n]+sp)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			if r.IntN(8) == 0 {
				b[i] = byte(r.IntN(256))
			} else {
				b[i] = byte(0x20 + r.IntN(0x5f))
			}
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		if got, want := string(appendJSONString(nil, s)), string(appendJSONStringByByte(nil, s)); got != want {
			t.Fatalf("appendJSONString(%q) = %q, want %q", s, got, want)
		}
	}
}

// appendJSONStringByByte is appendJSONString as it was before the word skip:
// slog's appendEscapedJSONString.
func appendJSONStringByByte(buf []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if jsonSafe[b] {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\')
			switch b {
			case '\\', '"':
				buf = append(buf, b)
			case '\n':
				buf = append(buf, 'n')
			case '\r':
				buf = append(buf, 'r')
			case '\t':
				buf = append(buf, 't')
			default:
				buf = append(buf, 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(buf, s[start:]...)
}
