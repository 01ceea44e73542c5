// Package jsonscan is the small reflection-free JSON reader behind the
// providers' stream fast paths. A Scanner reads values exactly as strictly as
// encoding/json would accept them (or more strictly: it refuses what it does not
// handle, such as escaped keys, and the caller then decodes the event with
// encoding/json). Each provider's fuzz test holds its fast path built on it to
// encoding/json's answer.
package jsonscan

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// A Scanner reads JSON values from a byte slice.
type Scanner struct {
	b []byte
	i int
}

// New returns a Scanner positioned at the start of b.
func New(b []byte) Scanner { return Scanner{b: b} }

// End reports whether only whitespace is left.
func (s *Scanner) End() bool {
	s.ws()
	return s.i == len(s.b)
}

func (s *Scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// Lit consumes c after optional whitespace.
func (s *Scanner) Lit(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// word consumes w (true, false, null) after optional whitespace.
func (s *Scanner) word(w string) bool {
	s.ws()
	if bytes.HasPrefix(s.b[s.i:], []byte(w)) {
		s.i += len(w)
		return true
	}
	return false
}

// Null consumes a null.
func (s *Scanner) Null() bool { return s.word("null") }

// Bool reads true or false into *v; a null leaves *v alone, as encoding/json does.
func (s *Scanner) Bool(v *bool) bool {
	switch {
	case s.word("true"):
		*v = true
	case s.word("false"):
		*v = false
	default:
		return s.Null()
	}
	return true
}

// Object reads an object, calling field with each key (escape-free, valid UTF-8
// keys only) positioned at its value.
func (s *Scanner) Object(field func(key []byte) bool) bool {
	if !s.Lit('{') {
		return false
	}
	if s.Lit('}') {
		return true
	}
	for {
		s.ws()
		lit, ok := s.Str()
		if !ok || bytes.IndexByte(lit, '\\') >= 0 || !utf8.Valid(lit) {
			return false
		}
		if !s.Lit(':') || !field(lit[1:len(lit)-1]) {
			return false
		}
		if s.Lit('}') {
			return true
		}
		if !s.Lit(',') {
			return false
		}
	}
}

// Str reads a string literal and returns it, quotes included.
func (s *Scanner) Str() ([]byte, bool) {
	s.ws()
	start := s.i
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false
	}
	for s.i++; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return s.b[start:s.i], true
		case c < 0x20:
			return nil, false
		case c == '\\':
			s.i++
			if s.i >= len(s.b) {
				return nil, false
			}
			switch s.b[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if s.i+4 >= len(s.b) {
					return nil, false
				}
				for _, h := range s.b[s.i+1 : s.i+5] {
					if !isHex(h) {
						return nil, false
					}
				}
				s.i += 4
			default:
				return nil, false
			}
		}
	}
	return nil, false
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// StringOrNull reads a string literal (quotes included) or a null.
func (s *Scanner) StringOrNull() (lit []byte, isNull, ok bool) {
	if s.Null() {
		return nil, true, true
	}
	lit, ok = s.Str()
	return lit, false, ok
}

// String reads a string into *dst as encoding/json would; a null leaves *dst alone.
func (s *Scanner) String(dst *string) bool {
	lit, isNull, ok := s.StringOrNull()
	if !ok {
		return false
	}
	return isNull || SetString(dst, lit)
}

// digits reads a non-negative integer of at most max digits, with no fraction
// or exponent.
func (s *Scanner) digits(max int) (int64, bool) {
	s.ws()
	start := s.i
	var v int64
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		v = v*10 + int64(s.b[s.i]-'0')
		s.i++
	}
	d := s.i - start
	if d == 0 || d > max || (d > 1 && s.b[start] == '0') {
		return 0, false
	}
	if s.i < len(s.b) && (s.b[s.i] == '.' || s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		return 0, false
	}
	return v, true
}

// SmallInt reads a non-negative integer of at most 9 digits.
func (s *Scanner) SmallInt() (int, bool) {
	n, ok := s.digits(9)
	return int(n), ok
}

// Count reads a token count into *n: null (n unchanged) or a non-negative
// integer of at most 18 digits.
func (s *Scanner) Count(n *int64) bool {
	if s.Null() {
		return true
	}
	v, ok := s.digits(18)
	if ok {
		*n = v
	}
	return ok
}

// Skip reads any value, with a depth limit.
func (s *Scanner) Skip() bool { return s.skipDepth(0) }

func (s *Scanner) skipDepth(depth int) bool {
	if depth > 32 {
		return false
	}
	s.ws()
	if s.i >= len(s.b) {
		return false
	}
	switch s.b[s.i] {
	case '"':
		lit, ok := s.Str()
		return ok && utf8.Valid(lit)
	case '{':
		return s.Object(func([]byte) bool { return s.skipDepth(depth + 1) })
	case '[':
		s.i++
		if s.Lit(']') {
			return true
		}
		for {
			if !s.skipDepth(depth + 1) {
				return false
			}
			if s.Lit(']') {
				return true
			}
			if !s.Lit(',') {
				return false
			}
		}
	case 't':
		return s.word("true")
	case 'f':
		return s.word("false")
	case 'n':
		return s.Null()
	default:
		return s.number()
	}
}

// number reads a JSON number.
func (s *Scanner) number() bool {
	b, i := s.b, s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i - j
	}
	start := i
	n := digits()
	if n == 0 || (n > 1 && b[start] == '0') {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	s.i = i
	return true
}

// FoldsTo reports whether key matches one of names case-insensitively (as
// encoding/json matches field names).
func FoldsTo(key []byte, names ...string) bool {
	for _, n := range names {
		if bytes.EqualFold(key, []byte(n)) {
			return true
		}
	}
	return false
}

// SetString sets *dst to the JSON string literal lit (quotes included) as
// encoding/json would, reusing *dst when it already holds that text. Escapes
// and invalid UTF-8 are decoded here too (see Unquote), with one allocation for
// the string; a literal it refuses is left to encoding/json.
func SetString(dst *string, lit []byte) bool {
	if len(lit) < 2 || lit[0] != '"' || lit[len(lit)-1] != '"' {
		return json.Unmarshal(lit, dst) == nil
	}
	body := lit[1 : len(lit)-1]
	n, plain, ok := unquote(body, nil)
	switch {
	case !ok:
		return json.Unmarshal(lit, dst) == nil
	case plain:
		if string(body) != *dst {
			*dst = string(body)
		}
	default:
		*dst = decode(body, n)
	}
	return true
}

// Unquote decodes the JSON string literal lit (quotes included) as
// encoding/json decodes it into a string: escapes unquoted, a \uXXXX surrogate
// pair joined, a lone or invalid surrogate and each byte of invalid UTF-8
// replaced by U+FFFD. ok is false for anything encoding/json would reject — a
// control character or a quote inside, an unknown escape, a short \u. The
// string is the one allocation (none when it is empty).
func Unquote(lit []byte) (v string, ok bool) {
	if len(lit) < 2 || lit[0] != '"' || lit[len(lit)-1] != '"' {
		return "", false
	}
	body := lit[1 : len(lit)-1]
	n, plain, ok := unquote(body, nil)
	switch {
	case !ok:
		return "", false
	case plain:
		return string(body), true
	}
	return decode(body, n), true
}

// decode returns body, which unquote accepted and found to decode to n bytes,
// decoded: one allocation of n bytes.
func decode(body []byte, n int) string {
	var sb strings.Builder
	sb.Grow(n)
	unquote(body, &sb)
	return sb.String()
}

// unquote decodes body, a string literal without its quotes, into w (when w
// is not nil) and returns the decoded length; plain reports that body decodes
// to itself (no escape, valid UTF-8). It follows encoding/json's unquoteBytes,
// with its scanner's checks (control characters, escapes, hex digits) added.
func unquote(body []byte, w *strings.Builder) (n int, plain, ok bool) {
	plain = true
	for r := 0; r < len(body); {
		switch c := body[r]; {
		case c == '\\':
			plain = false
			if r+1 >= len(body) {
				return 0, false, false
			}
			var out byte
			switch body[r+1] {
			case '"', '\\', '/':
				out = body[r+1]
			case 'b':
				out = '\b'
			case 'f':
				out = '\f'
			case 'n':
				out = '\n'
			case 'r':
				out = '\r'
			case 't':
				out = '\t'
			case 'u':
				rr := getu4(body[r:])
				if rr < 0 {
					return 0, false, false
				}
				r += 6
				if utf16.IsSurrogate(rr) {
					// Joined only with a \uXXXX that completes the pair; else
					// U+FFFD, and what follows is read on its own.
					rr1 := getu4(body[r:])
					if dec := utf16.DecodeRune(rr, rr1); dec != unicode.ReplacementChar {
						r += 6
						n += writeRune(w, dec)
						continue
					}
					rr = unicode.ReplacementChar
				}
				n += writeRune(w, rr)
				continue
			default:
				return 0, false, false
			}
			if w != nil {
				w.WriteByte(out)
			}
			n++
			r += 2
		case c == '"', c < 0x20:
			return 0, false, false
		case c < utf8.RuneSelf:
			// A run of plain ASCII is copied at once.
			j := r + 1
			for j < len(body) && body[j] < utf8.RuneSelf && body[j] >= 0x20 && body[j] != '"' && body[j] != '\\' {
				j++
			}
			if w != nil {
				w.Write(body[r:j])
			}
			n += j - r
			r = j
		default:
			// Invalid UTF-8 is coerced to U+FFFD, byte by byte, as DecodeRune reads it.
			rr, size := utf8.DecodeRune(body[r:])
			if rr == utf8.RuneError && size == 1 {
				plain = false
			}
			r += size
			n += writeRune(w, rr)
		}
	}
	return n, plain, true
}

func writeRune(w *strings.Builder, r rune) int {
	if w != nil {
		w.WriteRune(r)
	}
	return utf8.RuneLen(r)
}

// getu4 decodes \uXXXX from the beginning of s, returning the hex value, or
// -1 if s does not begin with one.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}
