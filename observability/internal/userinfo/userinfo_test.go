package userinfo_test

import (
	"strings"
	"testing"

	"github.com/footingdev/footing/observability/internal/userinfo"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	const m = "X"
	tests := []struct{ name, in, want string }{
		{"user and password", "postgres://app:pw@db:5432/x", "postgres://X@db:5432/x"},
		{"user name alone", "https://ghp_abc@github.com/o/r", "https://X@github.com/o/r"},
		{"empty user, password", "redis://:pw@cache:6379/0", "redis://X@cache:6379/0"},
		{"unescaped @ in the password", "https://bob:p@ss@host/", "https://X@host/"},
		{"two URLs", "a https://u1@h1/ and ssh://u2@h2 b", "a https://X@h1/ and ssh://X@h2 b"},
		{"nested in a path", "http://u@h/mirror/https://t@github.com/o", "http://X@h/mirror/https://X@github.com/o"},
		{"quoted", `'https://t@h/x'`, `'https://X@h/x'`},
		{"already the marker", "https://X@h/", "https://X@h/"},
		{"no user info", "https://example.com:8443/a@b?to=c@d#e@f", "https://example.com:8443/a@b?to=c@d#e@f"},
		{"empty user info", "https://@h/", "https://@h/"},
		{"no URL", "ops@example.com, git@github.com:o/r.git", "ops@example.com, git@github.com:o/r.git"},
		{"scheme at the end", "x://", "x://"},
		{"authority ends at a space", "https://h me@example.com", "https://h me@example.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, changed := userinfo.Redact(tc.in, m)
			if got != tc.want || changed != (tc.in != tc.want) {
				t.Fatalf("Redact(%q) = %q, %v; want %q", tc.in, got, changed, tc.want)
			}
		})
	}
}

// FuzzRedact: a user name or password never survives, and redacting twice
// changes nothing more.
func FuzzRedact(f *testing.F) {
	f.Add("ghp_abc", "", "github.com", "/o/r")
	f.Add("oauth2", "glpat-xyz", "gitlab.com", "")
	f.Add("u", "p@ss", "h:1", "/x?y=z@w")
	f.Fuzz(func(t *testing.T, user, password, host, rest string) {
		if strings.ContainsFunc(user+password+host, func(r rune) bool { return r <= ' ' || r == 0x7f || strings.ContainsRune("/?#\"'\\", r) }) ||
			strings.ContainsAny(user, "@:") || strings.Contains(host, "@") || len(user) < 4 || (rest != "" && !strings.ContainsAny(rest[:1], "/?#")) {
			t.Skip()
		}
		info := user
		if password != "" {
			info += ":" + password
		}
		in := "https://" + info + "@" + host + rest
		got, changed := userinfo.Redact(in, "[M]")
		if !changed || !strings.HasPrefix(got, "https://[M]@"+host) {
			t.Fatalf("Redact(%q) = %q, %v", in, got, changed)
		}
		if strings.Contains(got, user) && !strings.Contains(host+rest, user) {
			t.Fatalf("Redact(%q) = %q keeps the user name", in, got)
		}
		if again, changed := userinfo.Redact(got, "[M]"); changed || again != got {
			t.Fatalf("Redact(%q) changed again: %q", got, again)
		}
	})
}
