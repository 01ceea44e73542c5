package identity

// CanonicalTenantID returns the one spelling of a tenant id that names a UUID:
// lower-case and hyphenated, whether it came hyphenated (36 characters) or as 32 bare
// hex digits, in any case. UUIDs are case-insensitive (RFC 9562), and an identity
// provider may send one tenant in upper case in one token and lower in another; so
// that rate limits, quotas, logs and row-level security count that tenant once,
// gatewaycore/auth puts this form in the Principal. Any other id (a slug, or a UUID
// in braces or as a URN) is returned unchanged: ids that are not UUIDs are compared
// as written.
func CanonicalTenantID(id string) string {
	var hex [32]byte
	switch len(id) {
	case 36:
		n := 0
		for i := range len(id) {
			c := id[i]
			if i == 8 || i == 13 || i == 18 || i == 23 {
				if c != '-' {
					return id
				}
				continue
			}
			hex[n] = c
			n++
		}
	case 32:
		copy(hex[:], id)
	default:
		return id
	}
	var out [36]byte
	n := 0
	for i, c := range hex {
		switch {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		case 'A' <= c && c <= 'F':
			c += 'a' - 'A'
		default:
			return id
		}
		if i == 8 || i == 12 || i == 16 || i == 20 {
			out[n] = '-'
			n++
		}
		out[n] = c
		n++
	}
	if string(out[:]) == id {
		return id // already canonical: no allocation
	}
	return string(out[:])
}
