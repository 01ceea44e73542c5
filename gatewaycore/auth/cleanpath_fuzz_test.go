package auth

import (
	"path"
	"strings"
	"testing"
)

// FuzzCleanPath checks cleanPath's shortcut for paths that are already clean
// against path.Clean itself: the policy must judge every path as the clean one.
func FuzzCleanPath(f *testing.F) {
	for _, s := range []string{"", "/", "//", "/a", "/a/", "/a//b", "/a/./b", "/a/../b", "/..", "/.well-known/x",
		"/pkg.Svc/Method", "/public/../admin", "a/b", "./a", "/a/.", "/a/..", "/a/b/../../..", "/.", "/..a", "/a/.b/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		want := "/"
		if p != "" {
			want = path.Clean(p)
			if strings.HasSuffix(p, "/") && want != "/" {
				want += "/"
			}
		}
		if got := cleanPath(p); got != want {
			t.Fatalf("cleanPath(%q) = %q, want %q", p, got, want)
		}
	})
}
