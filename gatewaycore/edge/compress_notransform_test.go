package edge_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/footingdev/footing/gatewaycore/edge"
)

// TestCompressHonoursNoTransform: a response marked Cache-Control: no-transform
// (RFC 9111 §5.2.2.6) must not have its content coding changed, and it is how a
// handler keeps a response out of Compress — one that carries a secret (a CSRF
// token, a session value) beside text an attacker can choose, which gzip would let
// the attacker guess from the compressed length (BREACH). Compress gzipped it
// anyway; other responses are still compressed.
func TestCompressHonoursNoTransform(t *testing.T) {
	t.Parallel()
	page := `{"csrf":"s3cret-token","echo":"` + strings.Repeat("attacker text ", 200) + `"}`
	h := edge.Compress(0)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/secret" {
			w.Header().Set("Cache-Control", "private, No-Transform")
		}
		_, _ = w.Write([]byte(page))
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	for path, wantEncoding := range map[string]string{"/secret": "", "/public": "gzip"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = readBody(t, res)
		if ce := res.Header.Get("Content-Encoding"); ce != wantEncoding {
			t.Errorf("%s: Content-Encoding %q, want %q", path, ce, wantEncoding)
		}
	}
}
