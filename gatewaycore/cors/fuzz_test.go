package cors_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/footingdev/footing/gatewaycore/cors"
)

// FuzzPreflight feeds preflight headers from the browser side (Origin,
// Access-Control-Request-Method, Access-Control-Request-Headers): a preflight is only
// granted to an allowed origin, echoed exactly, and never reaches the handler.
func FuzzPreflight(f *testing.F) {
	for _, s := range [][3]string{
		{browserOrigin, "POST", "content-type,connect-protocol-version"},
		{"https://a.example.org", "GET", ""},
		{"https://evil.example.org.attacker.test", "POST", "content-type"},
		{"null", "POST", ""},
		{browserOrigin, "PUT", "x-secret"},
		{"HTTPS://APP.EXAMPLE.COM", "post", " Content-Type ,, X-Grpc-Web"},
		{"https://x.example.org/path", "POST", "content-type"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	h, err := cors.New(cors.WithAllowedOrigins(browserOrigin, "https://*.example.org"), cors.WithCredentials())
	if err != nil {
		f.Fatal(err)
	}
	reached := false
	handler := h.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))
	f.Fuzz(func(t *testing.T, origin, method, headers string) {
		if origin == "" || method == "" {
			return // not a preflight
		}
		r := httptest.NewRequest(http.MethodOptions, "/pkg.Svc/M", nil)
		r.Header["Origin"] = []string{origin}
		r.Header["Access-Control-Request-Method"] = []string{method}
		r.Header["Access-Control-Request-Headers"] = []string{headers}
		rec := httptest.NewRecorder()
		reached = false
		handler.ServeHTTP(rec, r)
		if reached {
			t.Fatal("a preflight reached the handler")
		}
		acao := rec.Header().Get("Access-Control-Allow-Origin")
		switch rec.Code {
		case http.StatusNoContent:
			if !h.AllowsOrigin(origin) || acao != origin {
				t.Fatalf("granted origin %q (ACAO %q)", origin, acao)
			}
			if m := strings.ToUpper(method); m != "GET" && m != "POST" {
				t.Fatalf("granted method %q", method)
			}
		case http.StatusForbidden:
			if acao != "" {
				t.Fatalf("refusal carries ACAO %q", acao)
			}
		default:
			t.Fatalf("status %d", rec.Code)
		}
	})
}
