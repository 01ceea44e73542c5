package aigateway_test

import (
	"testing"

	"github.com/footingdev/footing/aigateway"
	"github.com/footingdev/footing/contracts/modcheck"
)

func TestVersionIsSemver(t *testing.T) {
	t.Parallel()
	modcheck.Version(t, aigateway.Version)
}
