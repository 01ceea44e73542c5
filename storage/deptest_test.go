package storage_test

import (
	"testing"

	"github.com/footingdev/footing/contracts/modcheck"
)

// TestImports holds storage to the import rules of ARCHITECTURE.md.
func TestImports(t *testing.T) {
	t.Parallel()
	modcheck.Imports(t, modcheck.Rules{
		Module:   "storage",
		Siblings: []string{"contracts", "observability"},
	})
}
