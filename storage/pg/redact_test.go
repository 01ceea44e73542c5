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
	f.Fuzz(func(t *testing.T, secret string) {
		if len(secret) < 4 || strings.ContainsAny(secret, `'\?`) {
			return
		}
		for _, lit := range []string{"'" + secret + "'", "E'" + secret + "'", "'" + strings.ReplaceAll(secret, "x", "''") + "'"} {
			if out := redactLiterals("SELECT " + lit + " FROM t"); strings.Contains(out, secret) {
				t.Fatalf("redacted %q still holds the literal: %q", lit, out)
			}
		}
	})
}
