package identity_test

import (
	"fmt"
	"testing"

	"github.com/footingdev/footing/contracts/identity"
)

func TestCanonicalTenantID(t *testing.T) {
	t.Parallel()
	const canon = "0f8fad5b-d9cb-469f-a165-70867728950e"
	for _, tc := range []struct{ in, want string }{
		{canon, canon},
		{"0F8FAD5B-D9CB-469F-A165-70867728950E", canon},
		{"0f8fad5bd9cb469fa16570867728950e", canon},
		{"0F8FAD5BD9CB469FA16570867728950E", canon},
		// Not a UUID in the two forms storage accepts: left as it is.
		{"{0f8fad5b-d9cb-469f-a165-70867728950e}", "{0f8fad5b-d9cb-469f-a165-70867728950e}"},
		{"urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e", "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e"},
		{"0f8fad5b-d9cb-469f-a165-70867728950g", "0f8fad5b-d9cb-469f-a165-70867728950g"},
		{"0f8fad5b-d9cb-469f-a16570867728950e-", "0f8fad5b-d9cb-469f-a16570867728950e-"},
		{"Acme", "Acme"},
		{"", ""},
	} {
		if got := identity.CanonicalTenantID(tc.in); got != tc.want {
			t.Errorf("CanonicalTenantID(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzCanonicalTenantID(f *testing.F) {
	f.Add("0F8FAD5B-D9CB-469F-A165-70867728950E")
	f.Add("0f8fad5bd9cb469fa16570867728950e")
	f.Add("acme")
	f.Fuzz(func(t *testing.T, s string) {
		c := identity.CanonicalTenantID(s)
		if identity.CanonicalTenantID(c) != c {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, c, identity.CanonicalTenantID(c))
		}
		if c != s && len(c) != 36 {
			t.Fatalf("%q changed to %q, which is no canonical UUID", s, c)
		}
	})
}

func ExampleCanonicalTenantID() {
	fmt.Println(identity.CanonicalTenantID("0F8FAD5BD9CB469FA16570867728950E"))
	fmt.Println(identity.CanonicalTenantID("acme"))
	// Output:
	// 0f8fad5b-d9cb-469f-a165-70867728950e
	// acme
}
