// Package elements counts the elements of a request before it is decoded. An
// element (a JSON value, a protobuf message or string) costs tens to hundreds of
// bytes once decoded and as little as two or three in the body, so a body within
// its byte limit can decode to GiBs; the serving packages refuse one past a count of
// them first.
package elements

// JSON reports whether b has at most limit elements: objects, arrays, and the
// commas between two members or elements outside its strings (so every value but
// the first of each object or array counts, and a value costs no more than two
// bytes of budget). It does not check that b is JSON: the decoder refuses what is
// not.
func JSON(b []byte, limit int) bool {
	n := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		case '{', '[', ',':
			if n++; n > limit {
				return false
			}
		}
	}
	return true
}
