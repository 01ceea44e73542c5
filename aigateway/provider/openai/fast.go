package openai

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// fastChunk decodes the stream's most frequent event, a content (or finish)
// chat.completion.chunk, or the usage chunk that ends a stream, into c without
// reflection, whatever the order of its fields and whatever other fields it has.
// ok is false for anything it does not read exactly as encoding/json would — tool
// calls, errors, a key in another case, a count that is not a plain integer,
// malformed JSON — and the caller then decodes the event in full.
// FuzzFastChunk holds it to the full decoder's answer.
//
// c must be reset as for json.Unmarshal; its choices' backing array is reused.
func fastChunk(data []byte, c *chunk) (ok bool) {
	s := scanner{b: data}
	seenChoices := false
	ok = s.object(func(key []byte) bool {
		switch string(key) {
		case "model":
			lit, isNull, ok := s.stringOrNull()
			if !ok {
				return false
			}
			if !isNull {
				return setString(&c.Model.S, lit)
			}
			return true
		case "choices":
			if seenChoices {
				return false
			}
			seenChoices = true
			return s.choices(c)
		case "usage":
			if s.null() {
				c.Usage = nil
				return true
			}
			if c.Usage == nil {
				c.Usage = &usage{}
			}
			return s.usage(c.Usage)
		case "error":
			return s.null()
		}
		if foldsTo(key, "model", "choices", "usage", "error") {
			return false
		}
		return s.skip()
	})
	s.ws()
	return ok && s.i == len(s.b)
}

// usage reads a usage object into u as encoding/json would: counts that are
// plain non-negative integers, nulls left alone, other fields skipped.
func (s *scanner) usage(u *usage) bool {
	return s.object(func(key []byte) bool {
		switch string(key) {
		case "prompt_tokens":
			return s.count(&u.PromptTokens)
		case "completion_tokens":
			return s.count(&u.CompletionTokens)
		case "prompt_tokens_details":
			return s.null() || s.object(func(key []byte) bool {
				if string(key) == "cached_tokens" {
					return s.count(&u.PromptTokensDetails.CachedTokens)
				}
				return !foldsTo(key, "cached_tokens") && s.skip()
			})
		case "completion_tokens_details":
			return s.null() || s.object(func(key []byte) bool {
				if string(key) == "reasoning_tokens" {
					return s.count(&u.CompletionTokensDetails.ReasoningTokens)
				}
				return !foldsTo(key, "reasoning_tokens") && s.skip()
			})
		}
		if foldsTo(key, "prompt_tokens", "completion_tokens", "prompt_tokens_details", "completion_tokens_details") {
			return false
		}
		return s.skip()
	})
}

// count reads a token count into *n: null (n unchanged) or a non-negative
// integer of at most 18 digits.
func (s *scanner) count(n *int64) bool {
	if s.null() {
		return true
	}
	s.ws()
	start := s.i
	var v int64
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		v = v*10 + int64(s.b[s.i]-'0')
		s.i++
	}
	d := s.i - start
	if d == 0 || d > 18 || (d > 1 && s.b[start] == '0') {
		return false
	}
	if s.i < len(s.b) && (s.b[s.i] == '.' || s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		return false
	}
	*n = v
	return true
}

func (s *scanner) choices(c *chunk) bool {
	if !s.lit('[') {
		return false
	}
	c.Choices = c.Choices[:0]
	s.ws()
	if s.lit(']') {
		return true
	}
	for {
		c.Choices = append(c.Choices, chunkChoice{})
		if !s.choice(&c.Choices[len(c.Choices)-1]) {
			return false
		}
		s.ws()
		if s.lit(']') {
			return true
		}
		if !s.lit(',') {
			return false
		}
	}
}

func (s *scanner) choice(ch *chunkChoice) bool {
	return s.object(func(key []byte) bool {
		switch string(key) {
		case "index":
			n, ok := s.smallInt()
			ch.Index = n
			return ok
		case "finish_reason":
			lit, isNull, ok := s.stringOrNull()
			if !ok {
				return false
			}
			if !isNull {
				return setString(&ch.FinishReason, lit)
			}
			return true
		case "delta":
			return s.object(func(key []byte) bool {
				switch string(key) {
				case "content":
					lit, isNull, ok := s.stringOrNull()
					if !ok {
						return false
					}
					if !isNull {
						return setString(&ch.Delta.Content, lit)
					}
					return true
				case "tool_calls":
					return s.null()
				}
				if foldsTo(key, "content", "tool_calls") {
					return false
				}
				return s.skip()
			})
		}
		if foldsTo(key, "index", "finish_reason", "delta") {
			return false
		}
		return s.skip()
	})
}

// foldsTo reports whether key matches one of names case-insensitively (as
// encoding/json matches field names).
func foldsTo(key []byte, names ...string) bool {
	for _, n := range names {
		if bytes.EqualFold(key, []byte(n)) {
			return true
		}
	}
	return false
}

// setString sets *dst to the JSON string literal lit (quotes included), reusing
// *dst when it already holds that text.
func setString(dst *string, lit []byte) bool {
	body := lit[1 : len(lit)-1]
	if bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		if string(body) != *dst {
			*dst = string(body)
		}
		return true
	}
	return json.Unmarshal(lit, dst) == nil
}

// A scanner reads JSON values from b, checking them as strictly as encoding/json.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// lit consumes c after optional whitespace.
func (s *scanner) lit(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// word consumes w (true, false, null) after optional whitespace.
func (s *scanner) word(w string) bool {
	s.ws()
	if bytes.HasPrefix(s.b[s.i:], []byte(w)) {
		s.i += len(w)
		return true
	}
	return false
}

func (s *scanner) null() bool { return s.word("null") }

// object reads an object, calling field with each key (escape-free keys only)
// positioned at its value.
func (s *scanner) object(field func(key []byte) bool) bool {
	if !s.lit('{') {
		return false
	}
	if s.lit('}') {
		return true
	}
	for {
		s.ws()
		lit, ok := s.str()
		if !ok || bytes.IndexByte(lit, '\\') >= 0 || !utf8.Valid(lit) {
			return false
		}
		if !s.lit(':') || !field(lit[1:len(lit)-1]) {
			return false
		}
		if s.lit('}') {
			return true
		}
		if !s.lit(',') {
			return false
		}
	}
}

// str reads a string literal and returns it, quotes included.
func (s *scanner) str() ([]byte, bool) {
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

func (s *scanner) stringOrNull() (lit []byte, isNull, ok bool) {
	if s.null() {
		return nil, true, true
	}
	lit, ok = s.str()
	return lit, false, ok
}

// smallInt reads a non-negative integer of at most 9 digits.
func (s *scanner) smallInt() (int, bool) {
	s.ws()
	start, n := s.i, 0
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		n = n*10 + int(s.b[s.i]-'0')
		s.i++
	}
	d := s.i - start
	if d == 0 || d > 9 || (d > 1 && s.b[start] == '0') {
		return 0, false
	}
	if s.i < len(s.b) && (s.b[s.i] == '.' || s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		return 0, false
	}
	return n, true
}

// skip reads any value, with a depth limit.
func (s *scanner) skip() bool { return s.skipDepth(0) }

func (s *scanner) skipDepth(depth int) bool {
	if depth > 32 {
		return false
	}
	s.ws()
	if s.i >= len(s.b) {
		return false
	}
	switch s.b[s.i] {
	case '"':
		lit, ok := s.str()
		return ok && utf8.Valid(lit)
	case '{':
		return s.object(func([]byte) bool { return s.skipDepth(depth + 1) })
	case '[':
		s.i++
		if s.lit(']') {
			return true
		}
		for {
			if !s.skipDepth(depth + 1) {
				return false
			}
			if s.lit(']') {
				return true
			}
			if !s.lit(',') {
				return false
			}
		}
	case 't':
		return s.word("true")
	case 'f':
		return s.word("false")
	case 'n':
		return s.null()
	default:
		return s.number()
	}
}

// number reads a JSON number.
func (s *scanner) number() bool {
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
