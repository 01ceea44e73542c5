package auth_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
)

// TestTrailingSlashJudgedAsStripped: routers that strip a trailing slash before
// routing (chi's middleware.StripSlashes, echo's RemoveTrailingSlash; modelled by
// stripping) serve "/api/admin/" with the "/api/admin" handler. The policy's exact
// rule for "/api/admin" must then judge "/api/admin/" too, or a caller holding only
// what "/api/*" asks for reaches the admin handler by adding a slash. Paths whose
// slashless form has no exact rule are judged as before ("/static/" stays public
// under "/static/*" though "/*" needs a caller).
func TestTrailingSlashJudgedAsStripped(t *testing.T) {
	t.Parallel()
	a, b := setup(t)
	policy, err := auth.NewPolicy(map[string]auth.Rule{
		"/api/admin": auth.RequireRoles("admin"),
		"/api/*":     auth.Authenticated(),
		"/static/*":  auth.Public(),
		"/*":         auth.Authenticated(),
	})
	if err != nil {
		t.Fatal(err)
	}
	stripping := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if len(p) > 1 {
			p = strings.TrimSuffix(p, "/")
		}
		if p == "/api/admin" {
			_, _ = io.WriteString(w, "admin")
			return
		}
		_, _ = io.WriteString(w, "other")
	})
	s := httptest.NewServer(a.Middleware(policy)(stripping))
	t.Cleanup(s.Close)
	get := func(path string, h http.Header) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	admin := bearer(b.iss.Mint(authtest.Claims{"sub": "root", "roles": []string{"admin"}}))
	viewer := bearer(b.iss.Mint(authtest.Claims{"sub": "someone", "roles": []string{"viewer"}}))

	for _, path := range []string{"/api/admin/", "/api/admin/?x=1"} {
		if code, body := get(path, viewer); code != http.StatusForbidden || body == "admin" {
			t.Errorf("viewer: %s answered %d %q, want 403", path, code, body)
		}
		if code, body := get(path, admin); code != http.StatusOK || body != "admin" {
			t.Errorf("admin: %s answered %d %q, want 200 \"admin\"", path, code, body)
		}
	}
	for _, tc := range []struct {
		path string
		h    http.Header
		want int
	}{
		{"/api/admin", viewer, http.StatusForbidden},
		{"/api/items/", viewer, http.StatusOK},
		{"/api/", viewer, http.StatusOK},
		{"/static/", nil, http.StatusOK},
		{"/static/app.js", nil, http.StatusOK},
	} {
		if code, body := get(tc.path, tc.h); code != tc.want {
			t.Errorf("%s answered %d %q, want %d", tc.path, code, body, tc.want)
		}
	}
}
