package modcheck_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/footingdev/footing/contracts/modcheck"
)

// TestImportsReportsViolations runs Imports on this module with a rule it breaks.
func TestImportsReportsViolations(t *testing.T) {
	t.Parallel()
	rec := &recorder{T: t}
	modcheck.Imports(rec, modcheck.Rules{Module: "contracts", Forbidden: []string{"connectrpc.com/connect"}})
	if len(rec.errors) == 0 || !strings.Contains(strings.Join(rec.errors, "\n"), "connectrpc.com/connect") {
		t.Fatalf("Imports reported %q; want a violation for connectrpc.com/connect", rec.errors)
	}
}

type recorder struct {
	*testing.T
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
