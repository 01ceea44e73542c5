package openai

import "github.com/footingdev/footing/aigateway/provider/internal/jsonscan"

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
	s := jsonscan.New(data)
	seenChoices := false
	ok = s.Object(func(key []byte) bool {
		switch string(key) {
		case "model":
			lit, isNull, ok := s.StringOrNull()
			// As call.Name decodes it (an escape-free name is taken byte for byte).
			return ok && (isNull || c.Model.UnmarshalJSON(lit) == nil)
		case "choices":
			if seenChoices {
				return false
			}
			seenChoices = true
			return readChoices(&s, c)
		case "usage":
			if s.Null() {
				c.Usage = nil
				return true
			}
			if c.Usage == nil {
				c.Usage = &usage{}
			}
			return readUsage(&s, c.Usage)
		case "error":
			return s.Null()
		}
		if jsonscan.FoldsTo(key, "model", "choices", "usage", "error") {
			return false
		}
		return s.Skip()
	})
	return ok && s.End()
}

// readUsage reads a usage object into u as encoding/json would: counts that are
// plain non-negative integers, nulls left alone, other fields skipped.
func readUsage(s *jsonscan.Scanner, u *usage) bool {
	return s.Object(func(key []byte) bool {
		switch string(key) {
		case "prompt_tokens":
			return s.Count(&u.PromptTokens)
		case "completion_tokens":
			return s.Count(&u.CompletionTokens)
		case "prompt_tokens_details":
			return s.Null() || s.Object(func(key []byte) bool {
				if string(key) == "cached_tokens" {
					return s.Count(&u.PromptTokensDetails.CachedTokens)
				}
				return !jsonscan.FoldsTo(key, "cached_tokens") && s.Skip()
			})
		case "completion_tokens_details":
			return s.Null() || s.Object(func(key []byte) bool {
				if string(key) == "reasoning_tokens" {
					return s.Count(&u.CompletionTokensDetails.ReasoningTokens)
				}
				return !jsonscan.FoldsTo(key, "reasoning_tokens") && s.Skip()
			})
		}
		if jsonscan.FoldsTo(key, "prompt_tokens", "completion_tokens", "prompt_tokens_details", "completion_tokens_details") {
			return false
		}
		return s.Skip()
	})
}

func readChoices(s *jsonscan.Scanner, c *chunk) bool {
	if !s.Lit('[') {
		return false
	}
	c.Choices = c.Choices[:0]
	if s.Lit(']') {
		return true
	}
	for {
		c.Choices = append(c.Choices, chunkChoice{})
		if !readChoice(s, &c.Choices[len(c.Choices)-1]) {
			return false
		}
		if s.Lit(']') {
			return true
		}
		if !s.Lit(',') {
			return false
		}
	}
}

func readChoice(s *jsonscan.Scanner, ch *chunkChoice) bool {
	return s.Object(func(key []byte) bool {
		switch string(key) {
		case "index":
			n, ok := s.SmallInt()
			ch.Index = n
			return ok
		case "finish_reason":
			return s.String(&ch.FinishReason)
		case "delta":
			return s.Object(func(key []byte) bool {
				switch string(key) {
				case "content":
					return s.String(&ch.Delta.Content)
				case "refusal":
					return s.String(&ch.Delta.Refusal)
				case "tool_calls":
					return s.Null()
				}
				if jsonscan.FoldsTo(key, "content", "refusal", "tool_calls") {
					return false
				}
				return s.Skip()
			})
		}
		if jsonscan.FoldsTo(key, "index", "finish_reason", "delta") {
			return false
		}
		return s.Skip()
	})
}
