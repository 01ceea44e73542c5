package routepath

import (
	"path"
	"strings"
	"testing"
)

// FuzzClean checks Clean's shortcut for paths that are already clean against
// path.Clean itself: the middleware must judge every path as the clean one.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"", "/", "//", "/a", "/a/", "/a//b", "/a/./b", "/a/../b", "/..", "/.well-known/x",
		"/pkg.Svc/Method", "/public/../admin", "a/b", "./a", "/a/.", "/a/..", "/a/b/../../..", "/.", "/..a", "/a/.b/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		want := "/"
		if p != "" {
			want = path.Clean("/" + p)
			if strings.HasSuffix(p, "/") && want != "/" {
				want += "/"
			}
		}
		if got := Clean(p); got != want {
			t.Fatalf("Clean(%q) = %q, want %q", p, got, want)
		}
	})
}
