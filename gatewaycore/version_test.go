package gatewaycore_test

import (
	"testing"

	"github.com/footingdev/footing/contracts/modcheck"
	"github.com/footingdev/footing/gatewaycore"
)

func TestVersionIsSemver(t *testing.T) {
	t.Parallel()
	modcheck.Version(t, gatewaycore.Version)
}
