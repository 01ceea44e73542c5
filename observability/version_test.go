package observability_test

import (
	"testing"

	"github.com/footingdev/footing/contracts/modcheck"
	"github.com/footingdev/footing/observability"
)

func TestVersionIsSemver(t *testing.T) {
	t.Parallel()
	modcheck.Version(t, observability.Version)
}
