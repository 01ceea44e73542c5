package frontendkit_test

import (
	"testing"

	"github.com/footingdev/footing/contracts/modcheck"
	"github.com/footingdev/footing/frontendkit"
)

func TestVersionIsSemver(t *testing.T) {
	t.Parallel()
	modcheck.Version(t, frontendkit.Version)
}
