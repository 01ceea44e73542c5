package edge_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/gatewaycore/edge"
)

// TestMetadataKeepsTheContractsBounds: footing.common.v1.RequestMetadata bounds
// user_agent to 1024 bytes, traceparent to 128 and procedure to 512
// (contracts/proto/footing/common/v1/metadata.proto), but Metadata copied the
// headers and path whole — up to the server's 1 MiB of headers — so the message it
// put in every request's context failed its own contract's validation for any
// service that checks, stores or forwards it, and carried a megabyte into whatever
// logged it. Over-long values are now cut (the user agent and procedure at a
// character boundary; a traceparent that long is no traceparent and is dropped).
func TestMetadataKeepsTheContractsBounds(t *testing.T) {
	t.Parallel()
	h := edge.Metadata()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		md, _ := identity.RequestMetadataFrom(r.Context())
		_, _ = io.WriteString(w, md.GetUserAgent()+"\n"+md.GetTraceparent()+"\n"+md.GetProcedure())
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()

	ua := "bot/1 " + strings.Repeat("é", 4000) // two bytes each: a cut must not split one
	path := "/" + strings.Repeat("segment/", 200)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	req.Header.Set("User-Agent", ua)
	req.Header.Set("Traceparent", "00-"+strings.Repeat("a", 300))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	got := strings.Split(string(body), "\n")
	if len(got) != 3 {
		t.Fatalf("handler wrote %q", body)
	}
	gotUA, gotTP, gotProc := got[0], got[1], got[2]
	if len(gotUA) > 1024 || !utf8.ValidString(gotUA) || !strings.HasPrefix(ua, gotUA) || len(gotUA) < 1000 {
		t.Errorf("user_agent: %d bytes (valid UTF-8: %v); want a prefix of the header of at most 1024", len(gotUA), utf8.ValidString(gotUA))
	}
	if gotTP != "" {
		t.Errorf("traceparent: %d bytes; want none for a 303-byte header", len(gotTP))
	}
	if len(gotProc) > 512 || !strings.HasPrefix(path, gotProc) || len(gotProc) < 500 {
		t.Errorf("procedure: %d bytes; want a prefix of the path of at most 512", len(gotProc))
	}

	// Bytes that are not UTF-8 (obs-text in a header, %FF in a path) make a proto3
	// string that does not marshal: they are replaced, so the message always does.
	h2 := edge.Metadata()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		md, _ := identity.RequestMetadataFrom(r.Context())
		if _, err := proto.Marshal(md); err != nil {
			t.Errorf("RequestMetadata does not marshal: %v", err)
		}
		if !utf8.ValidString(md.GetUserAgent()) || !utf8.ValidString(md.GetProcedure()) {
			t.Errorf("user_agent %q, procedure %q: want valid UTF-8", md.GetUserAgent(), md.GetProcedure())
		}
	}))
	srv2 := httptest.NewServer(h2)
	defer srv2.Close()
	req, _ = http.NewRequest(http.MethodGet, srv2.URL+"/caf%E9/M", nil)
	req.Header.Set("User-Agent", "caf\xe9/1")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()

	// Ordinary values are kept whole.
	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/pkg.Svc/M", nil)
	req.Header.Set("User-Agent", "connect-go/1.21 (go1.26)")
	req.Header.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	_ = res.Body.Close()
	if want := "connect-go/1.21 (go1.26)\n00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\n/pkg.Svc/M"; string(body) != want {
		t.Errorf("got %q, want %q", body, want)
	}
}
