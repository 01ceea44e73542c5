package edge_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/edge"
)

// TestCompressLeavesPartialContentAlone: a 206 answers a byte range of the
// uncompressed representation (Content-Range counts its bytes); gzipping it sends
// a different encoding of those bytes under the same Content-Range, and a client
// resuming a download splices compressed bytes into the file.
func TestCompressLeavesPartialContentAlone(t *testing.T) {
	t.Parallel()
	content := strings.Repeat("0123456789abcdef", 1000)
	h := edge.Compress(0)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		http.ServeContent(w, r, "data.txt", time.Time{}, strings.NewReader(content))
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("Range", "bytes=1000-4999")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	got := readBody(t, res)
	if res.StatusCode != http.StatusPartialContent {
		t.Fatalf("status %d, want 206", res.StatusCode)
	}
	if ce := res.Header.Get("Content-Encoding"); ce != "" || got != content[1000:5000] {
		t.Fatalf("Content-Encoding %q, Content-Range %q, %d bytes: want the uncompressed range", ce, res.Header.Get("Content-Range"), len(got))
	}
}

// TestCompressHonoursEveryZeroQuality: "gzip;q=0" in any spelling RFC 9110 allows
// (q=0.0, q=0.000, Q=0, a space before the parameter) means the client refuses
// gzip; only the exact text "q=0" was understood, so the others got gzip anyway.
func TestCompressHonoursEveryZeroQuality(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("hello world ", 500)
	h := edge.Compress(0)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(big))
	}))
	for accept, want := range map[string]bool{
		"gzip;q=0": false, "gzip;q=0.0": false, "gzip; q=0.000": false, "gzip;Q=0": false, "deflate, gzip ; q=0.00": false,
		"gzip": true, "gzip;q=0.5": true, "gzip;q=1.0": true, "gzip;q=0.001": true,
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", accept)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if got := rec.Header().Get("Content-Encoding") == "gzip"; got != want {
			t.Errorf("Accept-Encoding %q: gzipped %v, want %v", accept, got, want)
		}
	}
}
