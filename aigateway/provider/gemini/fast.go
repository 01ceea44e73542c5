package gemini

import "github.com/footingdev/footing/aigateway/provider/internal/jsonscan"

// fastBuf is the memory the fast path reuses from one chunk to the next.
type fastBuf struct {
	parts []chunkPart
	usage usageMetadata
}

// decode reads the stream's common chunk — one candidate with text parts, an
// optional finishReason, usageMetadata, modelVersion — into r without
// reflection, whatever the order of its fields and whatever other fields it has.
// ok is false for anything it does not read exactly as encoding/json would —
// function calls, more than one candidate, promptFeedback, errors, a key in
// another case or given twice, a count that is not a plain integer, malformed
// JSON — and the caller then decodes the chunk in full. FuzzFastResponse holds
// it to the full decoder's answer.
//
// r must be reset as for json.Unmarshal; its candidates' backing array is
// reused, and its parts and usageMetadata point into f.
func (f *fastBuf) decode(data []byte, r *response) (ok bool) {
	s := jsonscan.New(data)
	var seenCands, seenUsage bool
	ok = s.Object(func(key []byte) bool {
		switch string(key) {
		case "candidates":
			if seenCands {
				return false
			}
			seenCands = true
			return f.candidates(&s, r)
		case "usageMetadata":
			if seenUsage {
				return false
			}
			seenUsage = true
			if s.Null() {
				r.UsageMetadata = nil
				return true
			}
			f.usage = usageMetadata{}
			r.UsageMetadata = &f.usage
			return readUsage(&s, &f.usage)
		case "modelVersion":
			lit, isNull, ok := s.StringOrNull()
			// As call.Name decodes it (an escape-free name is taken byte for byte).
			return ok && (isNull || r.ModelVersion.UnmarshalJSON(lit) == nil)
		case "promptFeedback", "error":
			return s.Null()
		}
		if jsonscan.FoldsTo(key, "candidates", "usageMetadata", "modelVersion", "promptFeedback", "error") {
			return false
		}
		return s.Skip()
	})
	return ok && s.End()
}

// candidates reads a candidates array of at most one candidate.
func (f *fastBuf) candidates(s *jsonscan.Scanner, r *response) bool {
	if s.Null() {
		r.Candidates = nil
		return true
	}
	if !s.Lit('[') {
		return false
	}
	if r.Candidates == nil {
		r.Candidates = make([]candidate, 0, 1)
	}
	r.Candidates = r.Candidates[:0]
	if s.Lit(']') {
		return true
	}
	r.Candidates = append(r.Candidates, candidate{})
	return f.candidate(s, &r.Candidates[0]) && s.Lit(']') // a second candidate falls back
}

func (f *fastBuf) candidate(s *jsonscan.Scanner, c *candidate) bool {
	var seenContent, seenParts bool
	return s.Object(func(key []byte) bool {
		switch string(key) {
		case "content":
			if seenContent {
				return false
			}
			seenContent = true
			return s.Null() || s.Object(func(key []byte) bool {
				if string(key) == "parts" {
					if seenParts {
						return false
					}
					seenParts = true
					return f.readParts(s, c)
				}
				return !jsonscan.FoldsTo(key, "parts") && s.Skip()
			})
		case "finishReason":
			return s.String(&c.FinishReason)
		}
		if jsonscan.FoldsTo(key, "content", "finishReason") {
			return false
		}
		return s.Skip()
	})
}

// readParts reads the parts into f.parts, c's parts then.
func (f *fastBuf) readParts(s *jsonscan.Scanner, c *candidate) bool {
	if s.Null() {
		c.Content.Parts = nil
		return true
	}
	if !s.Lit('[') {
		return false
	}
	if f.parts == nil {
		f.parts = make([]chunkPart, 0, 2)
	}
	parts := f.parts[:0]
	ok := s.Lit(']')
	for !ok {
		parts = append(parts, chunkPart{})
		if !readPart(s, &parts[len(parts)-1]) {
			break
		}
		ok = s.Lit(']')
		if !ok && !s.Lit(',') {
			break
		}
	}
	c.Content.Parts, f.parts = parts, parts[:0]
	return ok
}

// readPart reads a text (or thought) part; a function call falls back.
func readPart(s *jsonscan.Scanner, p *chunkPart) bool {
	return s.Object(func(key []byte) bool {
		switch string(key) {
		case "text":
			return s.String(&p.Text)
		case "thought":
			return s.Bool(&p.Thought)
		case "functionCall":
			return s.Null()
		}
		if jsonscan.FoldsTo(key, "text", "thought", "functionCall") {
			return false
		}
		return s.Skip()
	})
}

// readUsage reads usageMetadata into u as encoding/json would: counts that are
// plain non-negative integers, nulls left alone, other fields skipped.
func readUsage(s *jsonscan.Scanner, u *usageMetadata) bool {
	return s.Object(func(key []byte) bool {
		switch string(key) {
		case "promptTokenCount":
			return s.Count(&u.PromptTokenCount)
		case "candidatesTokenCount":
			return s.Count(&u.CandidatesTokenCount)
		case "cachedContentTokenCount":
			return s.Count(&u.CachedContentTokenCount)
		case "toolUsePromptTokenCount":
			return s.Count(&u.ToolUsePromptTokenCount)
		case "thoughtsTokenCount":
			return s.Count(&u.ThoughtsTokenCount)
		}
		if jsonscan.FoldsTo(key, "promptTokenCount", "candidatesTokenCount", "cachedContentTokenCount", "toolUsePromptTokenCount", "thoughtsTokenCount") {
			return false
		}
		return s.Skip()
	})
}
