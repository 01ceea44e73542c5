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

// TestPathsJudgedAsRouted: the middleware judges a request under every form of its
// path a router may route it by — cleaned, as sent, and as sent before
// percent-decoding — so a path that cleans or decodes into a public route cannot
// reach a protected handler. net/http's ServeMux routes on the path as sent before
// decoding ("%2e%2e" and "%2F" are not path syntax to it: "/admin/%2e%2e/healthz"
// and "/admin/..%2Fhealthz" reach the "/admin/" handler), and routers that do not
// clean (chi, httprouter, echo; modelled by asSent) route "/admin/../healthz" to
// "/admin/*"; each decodes or cleans to "/healthz", which is public.
func TestPathsJudgedAsRouted(t *testing.T) {
	t.Parallel()
	a, b := setup(t)
	policy, err := auth.NewPolicy(map[string]auth.Rule{
		"/healthz":             auth.Public(),
		"/files/*":             auth.Public(),
		"/admin/*":             auth.RequireRoles("admin"),
		"/admin/public-docs/*": auth.Public(),
		"/v1/items:batchGet":   auth.Authenticated(),
	})
	if err != nil {
		t.Fatal(err)
	}
	reply := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, name+" "+r.PathValue("id"))
		})
	}
	mux := http.NewServeMux()
	mux.Handle("/healthz", reply("healthz"))
	mux.Handle("/files/", reply("files"))
	mux.Handle("/admin/", reply("admin"))
	mux.Handle("GET /admin/users/{id}", reply("user"))
	mux.Handle("/v1/items:batchGet", reply("batch"))
	// asSent routes as chi, httprouter and echo do: on the path as sent (before
	// decoding if it was escaped), by prefix, without cleaning it.
	asSent := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.RawPath
		if p == "" {
			p = r.URL.Path
		}
		switch {
		case strings.HasPrefix(p, "/admin/"):
			reply("admin").ServeHTTP(w, r)
		case p == "/healthz":
			reply("healthz").ServeHTTP(w, r)
		case strings.HasPrefix(p, "/files/"):
			reply("files").ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
	servers := map[string]*httptest.Server{
		"ServeMux": httptest.NewServer(a.Middleware(policy)(mux)),
		"as sent":  httptest.NewServer(a.Middleware(policy)(asSent)),
	}
	for _, s := range servers {
		t.Cleanup(s.Close)
	}
	get := func(t *testing.T, s *httptest.Server, path string, h http.Header) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := req.URL.RequestURI(); got != path {
			t.Fatalf("request would be sent as %q, not %q", got, path)
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

	// Paths that reach a protected handler while cleaning or decoding to a public one.
	for name, paths := range map[string][]string{
		"ServeMux": {
			"/admin/%2e%2e/healthz",
			"/admin/%2E%2E/healthz",
			"/admin/..%2Fhealthz",
			"/admin/%2e%2e%2ffiles/x",
			"/admin/users/..%2F..%2F..%2Fhealthz",
			"/admin/users/%2e%2e%2f%2e%2e%2f%2e%2e%2ffiles%2fa",
			// Decoded as sent, under the public "/admin/public-docs/"; as sent, under "/admin/".
			"/admin/public-docs%2F..%2F..%2Fhealthz",
			"/admin/public%2Ddocs%2F..%2F..%2Fhealthz",
		},
		"as sent": {
			"/admin/../healthz",
			"/admin/x/../../files/a",
			"/admin/%2e%2e/healthz",
			"/admin/..%2Fhealthz",
			"/admin/public-docs%2F..%2F..%2Fhealthz",
		},
	} {
		s := servers[name]
		for _, path := range paths {
			t.Run(name+path, func(t *testing.T) {
				t.Parallel()
				for who, h := range map[string]http.Header{"anonymous": {}, "viewer": viewer} {
					if code, body := get(t, s, path, h); code == http.StatusOK || strings.HasPrefix(body, "admin") || strings.HasPrefix(body, "user") {
						t.Errorf("%s: %s reached a protected handler: %d %q", who, path, code, body)
					}
				}
				if code, body := get(t, s, path, admin); code != http.StatusOK && code != http.StatusNotFound {
					t.Errorf("admin: %s answered %d %q", path, code, body)
				}
			})
		}
	}

	// Ordinary requests are judged as before.
	for _, tc := range []struct {
		path string
		h    http.Header
		want int
	}{
		{"/healthz", nil, http.StatusOK},
		{"/files/a%2Fb", nil, http.StatusOK}, // public both decoded and as sent
		{"/files/a%20b", nil, http.StatusOK},
		{"/files/../healthz", nil, http.StatusOK}, // public under every form
		{"/admin/x", nil, http.StatusUnauthorized},
		{"/admin/x", viewer, http.StatusForbidden},
		{"/admin/x", admin, http.StatusOK},
		{"/admin/users/42", admin, http.StatusOK},
		{"/files/../admin/x", nil, http.StatusUnauthorized}, // protected once cleaned
		{"/admin/public-docs/a", nil, http.StatusOK},
	} {
		for name, s := range servers {
			if code, body := get(t, s, tc.path, tc.h); code != tc.want {
				t.Errorf("%s: %s answered %d %q, want %d", name, tc.path, code, body, tc.want)
			}
		}
	}
	// An escape that moves no segment boundary (here ":", which JavaScript's
	// encodeURIComponent escapes) is judged decoded, as ServeMux routes it.
	if code, body := get(t, servers["ServeMux"], "/v1/items%3AbatchGet", viewer); code != http.StatusOK {
		t.Errorf("/v1/items%%3AbatchGet answered %d %q, want 200", code, body)
	}
}
