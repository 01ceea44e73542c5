package edge_test

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/footingdev/footing/gatewaycore/edge"
)

// TestForwardedForReadsAtMostMaxHops: behind a trusted proxy, a client controls
// everything left of the proxy's own entry and may send ~1 MiB of commas
// (MaxHeaderBytes). ClientIP must read only the last MaxForwardedHops entries, not
// split the whole header into a slice (16 bytes of string header per entry: a
// 1 MiB header cost ~16 MiB of allocation per request).
func TestForwardedForReadsAtMostMaxHops(t *testing.T) {
	tp, err := edge.NewTrustedProxies("10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "10.0.0.1:1234"
	r.Header["X-Forwarded-For"] = []string{
		strings.Repeat("6.6.6.6,", 100_000) + "1.2.3.4",
		strings.Repeat(",", 200_000) + "203.0.113.7, 10.1.1.1",
	}
	if got := tp.ClientIP(r); got != "203.0.113.7" {
		t.Fatalf("ClientIP = %q, want 203.0.113.7", got)
	}
	if got := edge.ForwardedFor(r.Header); len(got) != edge.MaxForwardedHops ||
		got[len(got)-1] != "10.1.1.1" || got[len(got)-2] != "203.0.113.7" {
		t.Fatalf("ForwardedFor: %d entries, last %q", len(got), got[len(got)-2:])
	}

	const runs = 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range runs {
		_ = tp.ClientIP(r)
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 4<<10 {
		t.Fatalf("ClientIP allocated %d bytes per call for a 1 MiB X-Forwarded-For; want it to read only the last %d entries", per, edge.MaxForwardedHops)
	}
}

// FuzzForwardedForLastHops checks ForwardedFor, which reads the header from its
// end, against splitting every header whole and keeping the last MaxForwardedHops.
func FuzzForwardedForLastHops(f *testing.F) {
	for _, s := range [][2]string{{"1.2.3.4", ""}, {"a, b,c", "d"}, {",,", ","}, {"", ""}, {" x ,y", "z, "}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		h := http.Header{"X-Forwarded-For": {a, b}}
		var want []string
		for _, v := range h["X-Forwarded-For"] {
			for part := range strings.SplitSeq(v, ",") {
				want = append(want, strings.TrimSpace(part))
			}
		}
		if len(want) > edge.MaxForwardedHops {
			want = want[len(want)-edge.MaxForwardedHops:]
		}
		got := edge.ForwardedFor(h)
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") || len(got) != len(want) {
			t.Fatalf("ForwardedFor(%q, %q) = %q, want %q", a, b, got, want)
		}
	})
}

func BenchmarkClientIPOneHop(b *testing.B) {
	tp, _ := edge.NewTrustedProxies("10.0.0.0/8")
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "10.0.0.1:1234"
	r.Header["X-Forwarded-For"] = []string{"203.0.113.7, 10.1.1.1"}
	b.ReportAllocs()
	for b.Loop() {
		_ = tp.ClientIP(r)
	}
}

// TestCompressKeepsStatusAfterInformational: a handler may send 1xx responses
// (103 Early Hints) before its final status; Compress took the 103 for the final
// status and dropped the real one, so a 404 reached the client as 200.
func TestCompressKeepsStatusAfterInformational(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("not found here. ", 200)
	h := edge.Compress(0)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Link", "</app.css>; rel=preload; as=style")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, body)
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, accept := range []string{"gzip", "identity"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		req.Header.Set("Accept-Encoding", accept)
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		got := readBody(t, res)
		if res.StatusCode != http.StatusNotFound || got != body {
			t.Fatalf("Accept-Encoding %s: status %d, %d bytes; want 404 and the body", accept, res.StatusCode, len(got))
		}
	}
}

// TestRecoverAnswersAfterInformational: a 103 Early Hints is not the response
// starting; a panic after it must still answer 500 with the error id, not abort
// the connection as for a response half sent.
func TestRecoverAnswersAfterInformational(t *testing.T) {
	t.Parallel()
	ids := make(chan string, 1)
	h := edge.Recover(edge.WithPanicHook(func(_ context.Context, _ *http.Request, id string, _ any, _ []byte) { ids <- id }))(
		http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Link", "</app.css>; rel=preload; as=style")
			w.WriteHeader(http.StatusEarlyHints)
			panic("boom")
		}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatalf("connection aborted: %v", err)
	}
	body := readBody(t, res)
	if id := <-ids; res.StatusCode != http.StatusInternalServerError || !strings.Contains(body, id) {
		t.Fatalf("status %d, body %s: want 500 with the error id", res.StatusCode, body)
	}
}

func readBody(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	var rd io.Reader = res.Body
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		rd = zr
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRecoverAnswersReadablyAfterBodyHeaders: a handler that declared its body's
// length and encoding, then panicked before writing, had the 500 sent under them
// (cut to the length, labelled gzip), so the caller could not read the error id.
func TestRecoverAnswersReadablyAfterBodyHeaders(t *testing.T) {
	t.Parallel()
	ids := make(chan string, 1)
	h := edge.Recover(edge.WithPanicHook(func(_ context.Context, _ *http.Request, id string, _ any, _ []byte) { ids <- id }))(
		http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "5")
			w.Header().Set("Content-Encoding", "gzip")
			panic("boom")
		}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if id := <-ids; err != nil || res.StatusCode != http.StatusInternalServerError || !strings.Contains(string(body), id) {
		t.Fatalf("status %d, Content-Encoding %q, body %q, %v: want a readable 500 with the error id", res.StatusCode, res.Header.Get("Content-Encoding"), body, err)
	}
}
