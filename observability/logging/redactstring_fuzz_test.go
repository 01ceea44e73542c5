package logging_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/footingdev/footing/observability/logging"
)

// FuzzRedact feeds arbitrary text, as error messages and request dumps carry,
// to the string rules: they must not panic, must leave text without a
// credential's markers alone, must keep valid UTF-8 valid, and must not find
// more to replace in their own output.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nX-Api-Key: k\r\nCookie: a=1\r\n",
		`{\"password\": \"a\\\"b\"}`, `{"client_secret" : "x"}`, "{User:ann Password:pw}",
		"postgres://u:p@h/db?sslmode=disable password=x", "Authorization: Bearer abcdefgh",
		"https://b.s3.amazonaws.com/k?X-Amz-Signature=abc&sig=def", "/v1/token:revoke",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijk", "a\\\"password\\\":\\\"", "password:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := logging.Redact(s)
		if again := logging.Redact(out); again != out {
			t.Fatalf("Redact is not stable:\n in  %q\n out %q\n again %q", s, out, again)
		}
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("valid UTF-8 in, invalid out: %q -> %q", s, out)
		}
		if !strings.ContainsAny(s, "=:@") && !strings.Contains(strings.ToLower(s), "b") && !strings.Contains(s, "eyJ") && out != s {
			t.Fatalf("text without a credential's markers changed: %q -> %q", s, out)
		}
	})
}
