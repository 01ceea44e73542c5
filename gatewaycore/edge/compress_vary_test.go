package edge_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/footingdev/footing/gatewaycore/edge"
)

// TestCompressVariesForEveryClient: whether Compress gzips depends on the
// request's Accept-Encoding, so the response to a client that did not accept gzip
// must say Vary: Accept-Encoding too (RFC 9110 §12.5.5). It did not: a shared cache
// that stored that identity response without Vary holds one that matches every
// request (RFC 9111 §4.1) and keeps serving it to gzip clients beside, or instead
// of, the gzip one with its secondary key — and a 304 must carry the Vary of the
// 200 it stands for (RFC 9110 §15.4.5). Each response now carries it once, the
// handler's own Vary values kept (it is added as the header goes out, so a handler
// that Sets Vary no longer wipes it from a gzip response); Connect, gRPC and gRPC-Web requests, which
// Compress does not touch, get none.
func TestCompressVariesForEveryClient(t *testing.T) {
	t.Parallel()
	big := strings.Repeat(`{"k":"v"},`, 500)
	h := edge.Compress(0)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if v := r.URL.Query().Get("vary"); v != "" {
			w.Header().Set("Vary", v) // Set, not Add: what was there is gone
		}
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		_, _ = w.Write([]byte(big))
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, tc := range []struct {
		name, path string
		header     map[string]string
		want       []string
	}{
		{"gzip client", "/", map[string]string{"Accept-Encoding": "gzip"}, []string{"Accept-Encoding"}},
		{"no Accept-Encoding", "/", nil, []string{"Accept-Encoding"}},
		{"identity only", "/", map[string]string{"Accept-Encoding": "identity"}, []string{"Accept-Encoding"}},
		{"gzip refused", "/", map[string]string{"Accept-Encoding": "gzip;q=0"}, []string{"Accept-Encoding"}},
		{"304, no Accept-Encoding", "/", map[string]string{"If-None-Match": `"v1"`}, []string{"Accept-Encoding"}},
		{"handler varies on Origin", "/?vary=Origin", nil, []string{"Accept-Encoding", "Origin"}},
		{"gzip client, handler varies on Origin", "/?vary=Origin", map[string]string{"Accept-Encoding": "gzip"}, []string{"Accept-Encoding", "Origin"}},
		{"handler varies on accept-encoding", "/?vary=accept-encoding", map[string]string{"Accept-Encoding": "gzip"}, []string{"accept-encoding"}},
		{"connect request", "/", map[string]string{"Connect-Protocol-Version": "1"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, header, _ := roundTrip(t, http.MethodGet, srv.URL+tc.path, tc.header)
			var got []string
			for _, v := range header.Values("Vary") {
				for f := range strings.SplitSeq(v, ",") {
					got = append(got, strings.TrimSpace(f))
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("Vary %q, want %q", got, tc.want)
			}
		})
	}
}

// plainTransport sends only the Accept-Encoding a test sets (http.Transport
// otherwise asks for gzip itself and decodes the answer out of sight).
var plainTransport = &http.Transport{DisableCompression: true}

// roundTrip sends one request and returns the status, the headers and the
// body (gunzipped if it came gzipped).
func roundTrip(t *testing.T, method, url string, header map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := plainTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, res) // closes it
	return res.StatusCode, res.Header, body
}
