package gatewaycore_test

import (
	"testing"

	"github.com/footingdev/footing/contracts/modcheck"
)

// TestImports holds gatewaycore to the import rules of ARCHITECTURE.md.
func TestImports(t *testing.T) {
	t.Parallel()
	modcheck.Imports(t, modcheck.Rules{
		Module:   "gatewaycore",
		Siblings: []string{"contracts", "observability"},
		// The edge never talks to Postgres or River itself; storage and the edge meet in examples.
		Forbidden: []string{"github.com/jackc/pgx", "github.com/riverqueue/river", "github.com/pressly/goose"},
	})
}
