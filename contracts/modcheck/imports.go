package modcheck

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Prefix is the module path prefix every footing module shares.
const Prefix = "github.com/footingdev/footing/"

// Rules says what one module may import.
type Rules struct {
	// Module is the module's name under [Prefix], such as "storage".
	Module string
	// Siblings are the other footing modules it may import, such as "contracts".
	Siblings []string
	// Forbidden are import path prefixes that must not appear anywhere in the
	// module's non-test dependency graph, such as "github.com/jackc/pgx".
	Forbidden []string
}

// Heavy lists dependencies that modules meant to stay light (contracts, clikit)
// must not pull in: database drivers, job queues and Redis clients.
var Heavy = []string{
	"github.com/jackc/pgx",
	"github.com/riverqueue/river",
	"github.com/redis/go-redis",
	"github.com/pressly/goose",
}

// TB is the part of [testing.TB] that [Imports] uses.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Imports lists every package that the module's non-test packages depend on,
// directly or not, and fails t for each footing package outside the module and its
// allowed siblings and for each forbidden dependency. It runs `go list` at the root
// of the module that holds the current directory.
func Imports(t TB, rules Rules) {
	t.Helper()
	deps := list(t)
	if len(deps) == 0 {
		t.Fatalf("modcheck: go list found no dependencies; is the test run from the module root?")
	}
	for _, dep := range deps {
		if module, ok := footingModule(dep); ok && module != rules.Module && !slices.Contains(rules.Siblings, module) {
			t.Errorf("%s depends on %s: module %q may not import module %q (allowed: %v)", rules.Module, dep, rules.Module, module, rules.Siblings)
		}
		for _, f := range rules.Forbidden {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("%s depends on %s, which must not reach its build graph", rules.Module, dep)
			}
		}
	}
}

func footingModule(importPath string) (string, bool) {
	rest, ok := strings.CutPrefix(importPath, Prefix)
	if !ok {
		return "", false
	}
	module, _, _ := strings.Cut(rest, "/")
	return module, true
}

func list(t TB) []string {
	t.Helper()
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	if err != nil || root == "." || strings.HasSuffix(root, os.DevNull) {
		t.Fatalf("modcheck: cannot find the module root (go env GOMOD: %q, %v)", gomod, err)
	}
	cmd := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("modcheck: go list: %v\n%s", err, stderr.String())
	}
	return strings.Fields(string(out))
}
