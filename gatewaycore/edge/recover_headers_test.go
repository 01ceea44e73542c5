package edge_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/chain"
	"github.com/footingdev/footing/gatewaycore/cors"
	"github.com/footingdev/footing/gatewaycore/edge"
)

// halfMadeResponse sets what a handler sets for its own answer — a session cookie,
// the body's type, length and encoding, validators, a redirect, a download name,
// caching, a trailer — and panics before writing any of it.
func halfMadeResponse(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Set-Cookie", "session=half-made; Path=/; HttpOnly")
	h.Add("Set-Cookie", "csrf=also-half-made")
	h["set-cookie"] = []string{"lower=not-canonical"} // sent as written by net/http
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", "123456")
	h.Set("Content-Encoding", "gzip")
	h.Set("Content-Disposition", `attachment; filename="report.csv"`)
	h.Set("Content-Language", "fr")
	h.Set("Content-Location", "/reports/7")
	h.Set("ETag", `"v7"`)
	h.Set("Last-Modified", "Mon, 07 Dec 2026 10:00:00 GMT")
	h.Set("Expires", "Mon, 07 Dec 2036 10:00:00 GMT")
	h.Set("Location", "/reports/7")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Trailer", "X-Checksum")
	h.Set(http.TrailerPrefix+"X-Digest", "abc")
	h.Set("X-Handler-Own", "kept") // not a representation header: stays
	panic("half-way")
}

// deniedOnPanic are the handler's headers the 500 must not carry.
var deniedOnPanic = []string{
	"Set-Cookie", "Content-Encoding", "Content-Disposition", "Content-Language",
	"Content-Location", "ETag", "Last-Modified", "Expires", "Location", "Trailer", "X-Digest", "X-Checksum",
}

func quietRecover() func(http.Handler) http.Handler {
	return edge.Recover(edge.WithPanicHook(func(context.Context, *http.Request, string, any, []byte) {}))
}

// checkErrorResponse checks a 500 written by Recover over the network: none of the
// handler's representation or cookie headers, a Content-Length that is the error
// body's, a JSON Internal error, and no caching.
func checkErrorResponse(t *testing.T, res *http.Response) {
	t.Helper()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500; body %s", res.StatusCode, body)
	}
	for _, k := range deniedOnPanic {
		if v := res.Header.Values(k); len(v) != 0 {
			t.Errorf("the 500 carries the panicking handler's %s: %q", k, v)
		}
	}
	if len(res.Cookies()) != 0 {
		t.Errorf("the 500 sets cookies: %v", res.Cookies())
	}
	if got := res.Header.Get("Content-Length"); got != strconv.Itoa(len(body)) || res.ContentLength != int64(len(body)) {
		t.Errorf("Content-Length %q (%d), body is %d bytes", got, res.ContentLength, len(body))
	}
	if got := res.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q, want the error's application/json", got)
	}
	if got := res.Header.Values("Cache-Control"); len(got) != 1 || got[0] != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", got)
	}
	var e struct{ Code, Message string }
	if err := json.Unmarshal(body, &e); err != nil || e.Code != "internal" {
		t.Errorf("body %q is not a Connect internal error: %v", body, err)
	}
	if len(res.Trailer) != 0 {
		t.Errorf("the 500 carries the handler's trailers: %v", res.Trailer)
	}
}

// TestRecoverDropsTheHandlersHeaders: the 500 Recover answers for a handler that
// panicked before writing carries no header of the handler's answer (a half-made
// session cookie, a Content-Length or Content-Encoding that would corrupt the error
// body, validators, a redirect), and keeps what the middlewares around it had set.
func TestRecoverDropsTheHandlersHeaders(t *testing.T) {
	t.Parallel()
	outer := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", "default-src 'none'")
			w.Header().Set("Strict-Transport-Security", "max-age=63072000")
			w.Header().Set("X-Outer", "yes")
			next.ServeHTTP(w, r)
		})
	}
	srv := httptest.NewServer(outer(quietRecover()(http.HandlerFunc(halfMadeResponse))))
	t.Cleanup(srv.Close)
	res, err := srv.Client().Get(srv.URL + "/reports/7")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	checkErrorResponse(t, res)
	for k, want := range map[string]string{
		"Content-Security-Policy":   "default-src 'none'",
		"Strict-Transport-Security": "max-age=63072000",
		"X-Outer":                   "yes",
		"X-Handler-Own":             "kept",
	} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

// TestRecoverInTheChainKeepsTheEdgesHeaders: behind the whole edge chain, where
// Recover is outermost and the request id and CORS headers are set inside it, the
// 500 still echoes the request id and carries CORS headers (so the browser lets the
// caller read the error), and none of the handler's.
func TestRecoverInTheChainKeepsTheEdgesHeaders(t *testing.T) {
	t.Parallel()
	const origin = "https://app.example.com"
	c, err := cors.New(cors.WithAllowedOrigins(origin), cors.WithCredentials())
	if err != nil {
		t.Fatal(err)
	}
	h := chain.Chain{
		Recover:   quietRecover(),
		Metadata:  edge.Metadata(),
		CORS:      c.Middleware(),
		BodyLimit: edge.BodyLimit(1 << 20),
		Compress:  edge.Compress(0),
		Timeout:   edge.Timeouts(edge.RouteTimeouts{Default: time.Minute}),
	}.Then(http.HandlerFunc(halfMadeResponse))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/reports/7", nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("X-Request-Id", "req-panic-1")
	req.Header.Set("Accept-Encoding", "gzip") // set by hand: the transport then leaves the body as sent
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	checkErrorResponse(t, res)
	if got := res.Header.Get("X-Request-Id"); got != "req-panic-1" {
		t.Errorf("X-Request-Id = %q, want the request's", got)
	}
	if got := res.Header.Get("Access-Control-Allow-Origin"); got != origin {
		t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, origin)
	}
	if got := res.Header.Get("Access-Control-Allow-Credentials"); got != "true" {
		t.Errorf("Access-Control-Allow-Credentials = %q", got)
	}
	if got := res.Header.Values("Vary"); len(got) == 0 || got[0] != "Origin" {
		t.Errorf("Vary = %q, want Origin first", got)
	}
}

// TestRecoverNormalPathAllocations: without a panic, Recover costs one allocation
// (the writer that notes whether the response started) and copies no header: the
// list of headers to drop is read only after a panic.
func TestRecoverNormalPathAllocations(t *testing.T) {
	kept := []string{"1"}
	h := edge.Recover()(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["X-Kept"] = kept
	}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	w := httptest.NewRecorder()
	if n := testing.AllocsPerRun(100, func() { h.ServeHTTP(w, r) }); n > 1 {
		t.Fatalf("%v allocations per request without a panic, want at most 1", n)
	}
}
