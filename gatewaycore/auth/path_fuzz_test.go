package auth_test

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/footingdev/footing/gatewaycore/auth"
)

// FuzzPathsJudgedAsRouted sends arbitrary request targets without a credential
// through the middleware to a ServeMux and to a router that routes on the path as
// sent (as chi and httprouter do): no target may reach a protected handler.
func FuzzPathsJudgedAsRouted(f *testing.F) {
	a, err := auth.New(auth.Config{APIKeys: &auth.MemoryAPIKeyStore{}})
	if err != nil {
		f.Fatal(err)
	}
	defer a.Close()
	policy, err := auth.NewPolicy(map[string]auth.Rule{
		"/healthz":             auth.Public(),
		"/files/*":             auth.Public(),
		"/admin/*":             auth.Authenticated(),
		"/admin/public-docs/*": auth.Public(),
		"/pkg.Svc/Open":        auth.Public(),
		"/pkg.Svc/*":           auth.Authenticated(),
	})
	if err != nil {
		f.Fatal(err)
	}
	reply := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, name) })
	}
	mux := http.NewServeMux()
	mux.Handle("/healthz", reply("public"))
	mux.Handle("/files/", reply("public"))
	mux.Handle("/admin/", reply("protected"))
	mux.Handle("/admin/public-docs/", reply("public"))
	mux.Handle("GET /admin/users/{id}", reply("protected"))
	mux.Handle("/pkg.Svc/Open", reply("public"))
	mux.Handle("/pkg.Svc/", reply("protected"))
	asSent := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.RawPath
		if p == "" {
			p = r.URL.Path
		}
		switch {
		case strings.HasPrefix(p, "/admin/public-docs/"), p == "/healthz", strings.HasPrefix(p, "/files/"), p == "/pkg.Svc/Open":
			reply("public").ServeHTTP(w, r)
		case strings.HasPrefix(p, "/admin/"), strings.HasPrefix(p, "/pkg.Svc/"):
			reply("protected").ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
	handlers := []http.Handler{a.Middleware(policy)(mux), a.Middleware(policy)(asSent)}
	for _, s := range []string{
		"/healthz", "/admin/%2e%2e/healthz", "/admin/..%2Fhealthz", "/admin/../healthz",
		"/admin/public-docs%2F..%2F..%2Fhealthz", "/admin/users/..%2F..%2F..%2Ffiles%2Fa",
		"/pkg.Svc/Open/..%2FClose", "/pkg.Svc%2FClose", "//pkg.Svc/Close", "/files/%2e%2e/admin/x",
		"http://h/admin/%2E%2E/healthz", "*",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader("GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n")))
		if err != nil {
			return
		}
		for _, h := range handlers {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req.Clone(t.Context()))
			if rec.Code == http.StatusOK && rec.Body.String() == "protected" {
				t.Fatalf("%q reached a protected handler without a credential", target)
			}
		}
	})
}
