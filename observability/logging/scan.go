package logging

// One pass over a short string tells both whether it may hold a credential
// (the markers mayHoldCredential looks for) and whether JSON must escape any
// of its bytes. The access line's strings (method, route, path, code, ids)
// are short and usually have neither: one table lookup per byte then replaces
// five vectorized searches for the credential markers, each a call with its
// own set-up (about 300 instructions for "POST"), and the escaping loop.

// Byte classes, as bits.
const (
	// classEscape: a byte JSON does not carry as it is (below 0x20, the
	// quote, the backslash) or the start or part of a multi-byte UTF-8
	// sequence (0x80 and above), which appendJSONString must look at.
	classEscape uint8 = 1 << iota
	// classCredential: a byte every credential marker of mayHoldCredential
	// contains: 'J' ("eyJ", a JWT), 'b' and 'B' ("bearer", "basic", any
	// case, found at a 'b' or 'B'), '=' (key=value) and ':' (a JSON member,
	// a header line, and "://", without which an '@' is no user info).
	classCredential
)

// byteClass holds the classes of each byte.
var byteClass = func() (t [256]uint8) {
	for c := range 256 {
		if c >= 0x80 || !jsonSafe[c] {
			t[c] |= classEscape
		}
	}
	for _, c := range []byte("JbB=:") {
		t[c] |= classCredential
	}
	return t
}()

// maxScan is the longest string scanned byte by byte; longer ones are left
// to the vectorized searches, which are cheaper per byte.
const maxScan = 64

// scanClasses returns the union of the classes of the bytes of s, or both
// classes when s is longer than maxScan (not scanned: the callers then take
// their general path).
func scanClasses(s string) uint8 {
	if len(s) > maxScan {
		return classEscape | classCredential
	}
	// Eight bytes a round, one loop test per eight lookups, and the rest
	// looked up with the bytes before it, as the last eight (or four) of
	// the string: a byte looked up twice changes nothing in a union.
	var c uint8
	switch {
	case len(s) >= 8:
		last := s[len(s)-8:]
		for len(s) > 8 {
			c |= byteClass[s[0]] | byteClass[s[1]] | byteClass[s[2]] | byteClass[s[3]] |
				byteClass[s[4]] | byteClass[s[5]] | byteClass[s[6]] | byteClass[s[7]]
			s = s[8:]
		}
		c |= byteClass[last[0]] | byteClass[last[1]] | byteClass[last[2]] | byteClass[last[3]] |
			byteClass[last[4]] | byteClass[last[5]] | byteClass[last[6]] | byteClass[last[7]]
	case len(s) >= 4:
		last := s[len(s)-4:]
		c = byteClass[s[0]] | byteClass[s[1]] | byteClass[s[2]] | byteClass[s[3]] |
			byteClass[last[0]] | byteClass[last[1]] | byteClass[last[2]] | byteClass[last[3]]
	default:
		for i := 0; i < len(s); i++ {
			c |= byteClass[s[i]]
		}
	}
	return c
}
