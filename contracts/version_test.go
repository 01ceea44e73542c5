package contracts_test

import (
	"testing"

	"github.com/footingdev/footing/contracts"
	"github.com/footingdev/footing/contracts/modcheck"
)

func TestVersionIsSemver(t *testing.T) {
	t.Parallel()
	modcheck.Version(t, contracts.Version)
}
