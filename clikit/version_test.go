package clikit_test

import (
	"testing"

	"github.com/footingdev/footing/clikit"
	"github.com/footingdev/footing/contracts/modcheck"
)

func TestVersionIsSemver(t *testing.T) {
	t.Parallel()
	modcheck.Version(t, clikit.Version)
}
