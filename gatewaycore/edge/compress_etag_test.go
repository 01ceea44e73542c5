package edge_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/edge"
)

// etagServer serves a 16 KB text document under the strong ETag "v1" through
// Compress: GET with http.ServeContent (If-None-Match, If-Match, If-Range), PUT
// with a plain optimistic-concurrency check (If-Match compared as a string, as
// many handlers do).
func etagServer(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	content := strings.Repeat("0123456789abcdef", 1000)
	h := edge.Compress(0)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		if r.Method == http.MethodPut {
			if r.Header.Get("If-Match") != `"v1"` {
				w.WriteHeader(http.StatusPreconditionFailed)
				return
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		http.ServeContent(w, r, "", time.Time{}, strings.NewReader(content))
	}))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, content
}

// TestCompressGivesTheGzipRepresentationItsOwnETag: Compress kept the handler's
// strong ETag on the gzipped response, so the gzip and identity representations
// shared one strong validator, which RFC 9110 §8.8.1 and §8.8.3.3 forbid: a cache
// or a client that holds one may take the other's bytes for the same (a Range
// request validated by If-Range splices identity bytes into a gzip body). The gzip
// response now carries the tag with "--gzip" added inside the quotes; the
// identity response keeps the handler's. Conditional requests still work: the
// suffix is taken off If-None-Match and If-Match before the handler compares, a
// 304 to a client that holds the gzip representation names the gzip tag, and an
// If-Range with the gzip tag does not match the identity bytes (the whole
// document is sent).
func TestCompressGivesTheGzipRepresentationItsOwnETag(t *testing.T) {
	t.Parallel()
	srv, content := etagServer(t)
	gz := map[string]string{"Accept-Encoding": "gzip"}

	status, header, body := roundTrip(t, http.MethodGet, srv.URL, gz)
	gzTag := header.Get("ETag")
	if header.Get("Content-Encoding") != "gzip" || body != content {
		t.Fatalf("setup: gzip GET answered %d, Content-Encoding %q, %d bytes", status, header.Get("Content-Encoding"), len(body))
	}
	if gzTag != `"v1--gzip"` {
		t.Fatalf("gzip response ETag %q: want %q, not the identity representation's strong tag", gzTag, `"v1--gzip"`)
	}
	if ar := header.Get("Accept-Ranges"); ar != "" {
		t.Errorf("gzip response advertises Accept-Ranges %q: Compress serves no ranges of it", ar)
	}
	_, header, body = roundTrip(t, http.MethodGet, srv.URL, nil)
	if header.Get("ETag") != `"v1"` || header.Get("Content-Encoding") != "" || body != content {
		t.Fatalf("identity GET: ETag %q, Content-Encoding %q, %d bytes; want the handler's tag and bytes", header.Get("ETag"), header.Get("Content-Encoding"), len(body))
	}

	for _, tc := range []struct {
		name, method string
		header       map[string]string
		status       int
		etag         string
	}{
		{"If-None-Match gzip tag", http.MethodGet, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": gzTag}, http.StatusNotModified, gzTag},
		{"If-None-Match in a list", http.MethodGet, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": `"v0--gzip", ` + gzTag}, http.StatusNotModified, gzTag},
		{"If-None-Match weak gzip tag", http.MethodGet, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": "W/" + gzTag}, http.StatusNotModified, gzTag},
		{"If-None-Match identity tag", http.MethodGet, map[string]string{"If-None-Match": `"v1"`}, http.StatusNotModified, `"v1"`},
		{"If-None-Match identity tag, gzip client", http.MethodGet, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": `"v1"`}, http.StatusNotModified, `"v1"`},
		{"If-None-Match stale gzip tag", http.MethodGet, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": `"v0--gzip"`}, http.StatusOK, gzTag},
		{"If-Match gzip tag", http.MethodGet, map[string]string{"Accept-Encoding": "gzip", "If-Match": gzTag}, http.StatusOK, gzTag},
		{"If-Match stale gzip tag", http.MethodGet, map[string]string{"Accept-Encoding": "gzip", "If-Match": `"v0--gzip"`}, http.StatusPreconditionFailed, ""},
		{"PUT If-Match gzip tag", http.MethodPut, map[string]string{"Accept-Encoding": "gzip", "If-Match": gzTag}, http.StatusNoContent, ""},
		{"PUT If-Match gzip tag, no Accept-Encoding", http.MethodPut, map[string]string{"If-Match": gzTag}, http.StatusNoContent, ""},
		{"If-Range gzip tag", http.MethodGet, map[string]string{"Accept-Encoding": "gzip", "Range": "bytes=0-99", "If-Range": gzTag}, http.StatusOK, gzTag},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, header, body := roundTrip(t, tc.method, srv.URL, tc.header)
			if status != tc.status {
				t.Fatalf("status %d, want %d", status, tc.status)
			}
			if tc.etag != "" && header.Get("ETag") != tc.etag {
				t.Errorf("ETag %q, want %q", header.Get("ETag"), tc.etag)
			}
			if tc.status == http.StatusOK && body != content {
				t.Errorf("body: %d bytes, want the whole document (%d)", len(body), len(content))
			}
		})
	}
}

// TestCompressLeavesWeakETagsAlone: a weak validator may be shared by the
// representations of every content coding (RFC 9110 §8.8.1), so it passes as the
// handler set it, and a handler's own strong tag that merely looks like a gzip
// one reaches a client that did not take gzip unchanged.
func TestCompressLeavesWeakETagsAlone(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("hello world ", 500)
	h := edge.Compress(0)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("ETag", r.URL.Query().Get("tag"))
		_, _ = w.Write([]byte(big))
	}))
	for _, tc := range []struct{ tag, accept, want string }{
		{`W/"v1"`, "gzip", `W/"v1"`},
		{`W/"v1--gzip"`, "gzip", `W/"v1--gzip"`},
		{`"v1--gzip"`, "", `"v1--gzip"`},
	} {
		r := httptest.NewRequest(http.MethodGet, "/?tag="+tc.tag, nil)
		if tc.accept != "" {
			r.Header.Set("Accept-Encoding", tc.accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if got := rec.Header().Get("ETag"); got != tc.want {
			t.Errorf("ETag %s, Accept-Encoding %q: sent %s, want %s", tc.tag, tc.accept, got, tc.want)
		}
	}
}
