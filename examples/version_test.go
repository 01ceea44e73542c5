package examples_test

import (
	"testing"

	"github.com/footingdev/footing/contracts/modcheck"
	"github.com/footingdev/footing/examples"
)

func TestVersionIsSemver(t *testing.T) {
	t.Parallel()
	modcheck.Version(t, examples.Version)
}
