package tenantid_test

import (
	"testing"

	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/internal/tenantid"
)

// FuzzAgreesWithContracts: gatewaycore/auth puts identity.CanonicalTenantID's
// spelling in the Principal, and storage scopes rows and cache entries by
// Canonical's; the two must name one tenant the same way, or a tenant's rows and
// its rate limits or quotas would be keyed apart.
func FuzzAgreesWithContracts(f *testing.F) {
	for _, s := range []string{
		"0f8fad5b-d9cb-469f-a165-70867728950e", "0F8FAD5B-D9CB-469F-A165-70867728950E",
		"0f8fad5bd9cb469fa16570867728950e", "{0f8fad5b-d9cb-469f-a165-70867728950e}",
		"urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e", "acme", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := tenantid.Canonical(s)
		got := identity.CanonicalTenantID(s)
		if ok && got != c {
			t.Fatalf("%q: storage says %q, contracts %q", s, c, got)
		}
		if !ok && got != s {
			t.Fatalf("%q is no tenant id to storage, but contracts respelled it %q", s, got)
		}
	})
}
