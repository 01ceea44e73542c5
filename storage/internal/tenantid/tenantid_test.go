package tenantid_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/footingdev/footing/storage/internal/tenantid"
)

func TestCanonical(t *testing.T) {
	t.Parallel()
	const want = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{want, true},
		{"6BA7B810-9DAD-11D1-80B4-00C04FD430C8", true},
		{"6ba7b8109dad11d180b400c04fd430c8", true},
		{"6Ba7B8109dAd11d180b400C04fd430c8", true},
		{"{6ba7b810-9dad-11d1-80b4-00c04fd430c8}", false},
		{"urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8", false},
		// uuid.Parse takes any 38 characters as a braced UUID without looking at the
		// braces: these were the tenant 6ba7b810-… (found by FuzzAgreesWithContracts).
		{"x6ba7b810-9dad-11d1-80b4-00c04fd430c8y", false},
		{"06ba7b810-9dad-11d1-80b4-00c04fd430c80", false},
		{"acme", false},
		{"", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, ok := tenantid.Canonical(tc.in)
			if ok != tc.ok || (ok && got != want) {
				t.Fatalf("Canonical(%q) = %q, %v; want %q, %v", tc.in, got, ok, want, tc.ok)
			}
		})
	}
}

func TestFormatIsString(t *testing.T) {
	t.Parallel()
	for range 100 {
		u := uuid.New()
		var b [tenantid.Len]byte
		tenantid.Format(&b, u)
		if string(b[:]) != u.String() {
			t.Fatalf("Format = %s, String = %s", b[:], u)
		}
	}
}
