// Package tenantid is the one definition, shared by storage/rls and storage/cache, of
// which strings name a tenant and how one tenant is spelled: so that one tenant written
// two ways (upper and lower case, with or without hyphens) gets one row-level security
// scope and one cache namespace.
package tenantid

import (
	"encoding/hex"

	"github.com/google/uuid"
)

// Len is the length of a canonical tenant id.
const Len = 36

// Parse returns the UUID id names, and whether id is a tenant id: a UUID in the
// hyphenated 36-character form or the bare 32 hex digits, in any case. The braced and
// urn:uuid: forms uuid.Parse also reads are refused.
func Parse(id string) (uuid.UUID, bool) {
	// Only the two lengths: uuid.Parse reads any 38 characters as a braced UUID
	// without looking at the braces, and 45 as a URN.
	if len(id) != Len && len(id) != 32 {
		return uuid.UUID{}, false
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return uuid.UUID{}, false
	}
	return u, true
}

// Canonical returns id in its canonical form (lower-case, hyphenated), and whether id
// is a tenant id ([Parse]).
func Canonical(id string) (string, bool) {
	u, ok := Parse(id)
	if !ok {
		return "", false
	}
	return u.String(), true
}

// Format writes u's canonical form into dst without allocating.
func Format(dst *[Len]byte, u uuid.UUID) {
	hex.Encode(dst[0:8], u[0:4])
	dst[8] = '-'
	hex.Encode(dst[9:13], u[4:6])
	dst[13] = '-'
	hex.Encode(dst[14:18], u[6:8])
	dst[18] = '-'
	hex.Encode(dst[19:23], u[8:10])
	dst[23] = '-'
	hex.Encode(dst[24:], u[10:])
}
