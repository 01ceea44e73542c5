package clikit_test

import (
	"testing"

	"github.com/footingdev/footing/contracts/modcheck"
)

// TestImports holds clikit to the import rules of ARCHITECTURE.md.
func TestImports(t *testing.T) {
	t.Parallel()
	modcheck.Imports(t, modcheck.Rules{
		Module:    "clikit",
		Siblings:  []string{"contracts", "observability"},
		Forbidden: modcheck.Heavy,
	})
}
