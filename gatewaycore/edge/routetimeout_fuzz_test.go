package edge

import (
	"net/url"
	"testing"
	"time"
)

// FuzzRouteTimeoutWithoutRoutes checks Timeouts' shortcut for a table without
// routes (Default at once, without computing the path's forms) against the general
// path: for any path, sent escaped or not, routeTimeout finds no route and answers
// Default.
func FuzzRouteTimeoutWithoutRoutes(f *testing.F) {
	for _, s := range []string{"/", "/pkg.Svc/M", "/admin/%2e%2e/healthz", "//a/../b", "/a%2Fb", "", "x", "/%zz"} {
		f.Add(s)
	}
	none := func(string) (time.Duration, bool) { return 0, false }
	const def = 7 * time.Second
	f.Fuzz(func(t *testing.T, target string) {
		u, err := url.ParseRequestURI(target)
		if err != nil {
			u = &url.URL{Path: target, RawPath: target}
		}
		if got := routeTimeout(u, none, def); got != def {
			t.Fatalf("%q: %v without routes, want Default %v", target, got, def)
		}
	})
}
