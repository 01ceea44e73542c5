package modcheck_test

import (
	"testing"

	"github.com/footingdev/footing/contracts/modcheck"
)

func TestValidSemver(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]bool{
		"0.1.0": true, "1.2.3-rc.1": true, "1.0.0+build.5": true, "10.20.30": true,
		"v1.2.3": false, "1.2": false, "01.2.3": false, "1.2.3-": false, "": false, "1.2.3-01": false,
	} {
		if got := modcheck.ValidSemver(v); got != want {
			t.Errorf("ValidSemver(%q) = %v, want %v", v, got, want)
		}
	}
}
