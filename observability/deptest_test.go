package observability_test

import (
	"testing"

	"github.com/footingdev/footing/contracts/modcheck"
)

// TestImports holds observability to the import rules of ARCHITECTURE.md.
func TestImports(t *testing.T) {
	t.Parallel()
	modcheck.Imports(t, modcheck.Rules{
		Module:    "observability",
		Siblings:  []string{"contracts"},
		Forbidden: modcheck.Heavy,
	})
}
