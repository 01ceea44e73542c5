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
	// scanClasses also sets it for a string whose keyless bits (below) say
	// it may hold a keyless credential.
	classCredential

	// The keyless bits: bytes that every keyless credential (keyless.go)
	// of one family holds. scanClasses folds them into classCredential;
	// its callers look at classEscape and classCredential only.

	// classKeyLetter: 'k' (sk-, sk_live_, rk_…), 'h' (gh?_, github_pat_)
	// and 'x' (xox?-), each of which such a token holds with a classKeySep.
	classKeyLetter
	// classKeySep: '-' and '_'.
	classKeySep
	// classKeyA and classKeyI: 'A' and 'I', which AIza, AKIA and ASIA hold.
	classKeyA
	classKeyI
	// classKeyZ: 'z', the third byte of AIza.
	classKeyZ
	// classNotUpper: a byte other than A-Z and 0-9. An AWS access key id
	// (AKIA or ASIA and 16 upper-case letters or digits) holds none, over
	// 20 bytes, so one of the eight-byte words scanClasses reads lies
	// wholly inside it, and lacks this bit.
	classNotUpper
)

// byteClass holds the classes of each byte.
var byteClass = func() (t [256]uint8) {
	for c := range 256 {
		if c >= 0x80 || !jsonSafe[c] {
			t[c] |= classEscape
		}
		if !isUpperOrDigit(byte(c)) {
			t[c] |= classNotUpper
		}
	}
	for _, c := range []byte("JbB=:") {
		t[c] |= classCredential
	}
	for _, c := range []byte("khx") {
		t[c] |= classKeyLetter
	}
	t['-'] |= classKeySep
	t['_'] |= classKeySep
	t['A'] |= classKeyA
	t['I'] |= classKeyI
	t['z'] |= classKeyZ
	return t
}()

// keylessClasses holds classCredential for the keyless bits that may hold a
// keyless credential, indexed by the union of a string's classes whose
// classNotUpper is cleared when one word has no byte of classNotUpper (an
// upper-case run): a letter and a separator (sk-, gh?_, xox?-, …), or 'A'
// and 'I' with 'z' (AIza) or an upper-case run (AKIA, ASIA).
var keylessClasses = func() (t [256]uint8) {
	for c := range 256 {
		k := uint8(c)
		sep := k&(classKeyLetter|classKeySep) == classKeyLetter|classKeySep
		ai := k&(classKeyA|classKeyI) == classKeyA|classKeyI && (k&classKeyZ != 0 || k&classNotUpper == 0)
		if sep || ai {
			t[c] = classCredential
		}
	}
	return t
}()

// maxScan is the longest string scanned byte by byte; longer ones are left
// to the vectorized searches, which are cheaper per byte.
const maxScan = 64

// scanClasses returns the union of the classes of the bytes of s, or both
// classes when s is longer than maxScan (not scanned: the callers then take
// their general path); classCredential is also set when s is minKeyless
// bytes or longer and its keyless bits (keylessClasses) say it may hold a
// keyless credential. Only classEscape and classCredential of the answer
// have a meaning.
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
		n := len(s)
		last := s[n-8:]
		// words is the intersection of the words' classes: its
		// classNotUpper is clear when a word is all upper-case letters and
		// digits.
		words := uint8(0xFF)
		for len(s) > 8 {
			w := byteClass[s[0]] | byteClass[s[1]] | byteClass[s[2]] | byteClass[s[3]] |
				byteClass[s[4]] | byteClass[s[5]] | byteClass[s[6]] | byteClass[s[7]]
			c |= w
			words &= w
			s = s[8:]
		}
		w := byteClass[last[0]] | byteClass[last[1]] | byteClass[last[2]] | byteClass[last[3]] |
			byteClass[last[4]] | byteClass[last[5]] | byteClass[last[6]] | byteClass[last[7]]
		c |= w
		if n >= minKeyless {
			words &= w
			c |= keylessClasses[c&(words|^classNotUpper)]
		}
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
