package examples_test

import (
	"testing"

	"github.com/footingdev/footing/contracts/modcheck"
)

// TestImports holds examples to the import rules of ARCHITECTURE.md.
func TestImports(t *testing.T) {
	t.Parallel()
	modcheck.Imports(t, modcheck.Rules{
		Module:   "examples",
		Siblings: []string{"contracts", "observability", "gatewaycore", "aigateway", "frontendkit", "clikit", "storage"},
	})
}
