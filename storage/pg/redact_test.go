package pg

import (
	"strings"
	"testing"
)

func TestRedactLiterals(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT $1::text", "SELECT $1::text"},
		{"BEGIN; SELECT set_config('app.tenant_id', '8d5e2a34', true), set_config('app.user_id', 'o''brien', true)",
			"BEGIN; SELECT set_config('?', '?', true), set_config('?', '?', true)"},
		{`SELECT E'a\'b', 'c'`, `SELECT E'?', '?'`},
		{"SELECT 'unterminated", "SELECT '?'"},
		{"SELECT ''", "SELECT '?'"},
		// A quote in a comment or a quoted identifier opens no literal: before, it
		// shifted the scan, and the literal after it went out in clear.
		{"SELECT 1 -- don't\nWHERE k = 'secret'", "SELECT 1 -- don't\nWHERE k = '?'"},
		{"SELECT /* it's /* nested */ still */ 'secret'", "SELECT /* it's /* nested */ still */ '?'"},
		{`SELECT "o'brien", 'secret' FROM t`, `SELECT "o'brien", '?' FROM t`},
		{`SELECT "a""'b", 'secret'`, `SELECT "a""'b", '?'`},
		// Dollar-quoted literals are literals too; $1 and a$b are not.
		{"SELECT $$secret$$, $1, $tag$it's $$ secret$tag$, 'x'", "SELECT '?', $1, '?', '?'"},
		{"SELECT a$b$c, $2 FROM t", "SELECT a$b$c, $2 FROM t"},
		{"SELECT $q$unterminated", "SELECT '?'"},
		// E must stand alone to make backslashes escapes.
		{`SELECT date'a', 'secret'`, `SELECT date'?', '?'`},
	}
	for _, tc := range tests {
		if got := redactLiterals(tc.in); got != tc.want {
			t.Errorf("redactLiterals(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzRedactLiterals checks that no literal's content survives redaction.
func FuzzRedactLiterals(f *testing.F) {
	f.Add("secret")
	f.Add("o'brien")
	f.Add(`a\'b`)
	f.Add("it's a $$ dollar")
	f.Fuzz(func(t *testing.T, secret string) {
		if len(secret) < 4 || strings.ContainsAny(secret, `'\?`) {
			return
		}
		lits := []string{"'" + secret + "'", "E'" + secret + "'", "'" + strings.ReplaceAll(secret, "x", "''") + "'"}
		if !strings.Contains(secret, "$") {
			lits = append(lits, "$$"+secret+"$$", "$t_1$"+secret+"$t_1$")
		}
		// Quotes in comments and identifiers before the literal must not shift the scan.
		prefixes := []string{"SELECT ", "SELECT /* it's */ ", "-- don't\nSELECT ", `SELECT "a'b", `, "SELECT $1, "}
		for _, pre := range prefixes {
			for _, lit := range lits {
				if out := redactLiterals(pre + lit + " FROM t"); strings.Contains(out, secret) {
					t.Fatalf("redacted %q still holds the literal: %q", pre+lit, out)
				}
			}
		}
	})
}
