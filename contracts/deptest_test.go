package contracts_test

import (
	"testing"

	"github.com/footingdev/footing/contracts/modcheck"
)

// TestImports holds contracts to the import rules of ARCHITECTURE.md.
func TestImports(t *testing.T) {
	t.Parallel()
	modcheck.Imports(t, modcheck.Rules{
		Module:    "contracts",
		Forbidden: modcheck.Heavy,
	})
}
