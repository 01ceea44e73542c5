package routepath

import "testing"

func TestClean(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/pkg.Svc/Method", "/pkg.Svc/Method"},
		{"//pkg.Svc/Method", "/pkg.Svc/Method"},
		{"/pkg.Svc//Method", "/pkg.Svc/Method"},
		{"/pkg.Svc/./Method", "/pkg.Svc/Method"},
		{"/public/../admin", "/admin"},
		{"/../admin", "/admin"},
		{"admin", "/admin"},
		{"*", "/*"},
		{"/api/", "/api/"},
		{"/api//", "/api/"},
		{"/api/.", "/api"},
		{"/api/./", "/api/"},
	} {
		if got := Clean(tc.in); got != tc.want {
			t.Errorf("Clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
