package edge_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/gatewaycore/edge"
)

func FuzzRequestIDHeader(f *testing.F) {
	for _, s := range []string{"", "abc", "a\nb", "\x00", "ü", "req-1:2.3_4"} {
		f.Add(s)
	}
	h := edge.Metadata()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(identity.RequestID(r.Context())))
	}))
	f.Fuzz(func(t *testing.T, in string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header[edge.HeaderRequestID] = []string{in}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		got := rec.Header().Get(edge.HeaderRequestID)
		if !edge.ValidRequestID(got) || rec.Body.String() != got {
			t.Fatalf("echoed %q, ctx %q", got, rec.Body.String())
		}
		if edge.ValidRequestID(in) != (got == in) {
			t.Fatalf("in %q valid=%v but got %q", in, edge.ValidRequestID(in), got)
		}
	})
}

func FuzzForwardedFor(f *testing.F) {
	seeds := [][2]string{
		{"10.0.0.1:1", "1.2.3.4"}, {"10.0.0.1:1", "1.2.3.4, 10.0.0.2"}, {"203.0.113.1:9", "1.1.1.1"},
		{"[::1]:1", "::ffff:1.2.3.4,junk"}, {"10.0.0.1:1", ",,,"}, {"x", "y"}, {"10.0.0.1:1", "fe80::1%eth0"},
		{"10.0.0.1:1", "1.2.3.4:5123"}, {"10.0.0.1:1", "[2001:db8::1]:443, 10.0.0.2:80"}, {"10.0.0.1:1", "[::ffff:1.2.3.4]"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	tp, err := edge.NewTrustedProxies("10.0.0.0/8", "::1")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = remote
		r.Header["X-Forwarded-For"] = []string{xff}
		got := tp.ClientIP(r)
		if got == "" {
			return
		}
		a, err := netip.ParseAddr(got)
		if err != nil {
			t.Fatalf("ClientIP(%q, %q) = %q: not an address", remote, xff, got)
		}
		if peer := (&edge.TrustedProxies{}).ClientIP(r); peer == "" {
			t.Fatalf("peer unparsable but ClientIP gave %q", got)
		} else if pa, _ := netip.ParseAddr(peer); !pa.IsLoopback() && !netip.MustParsePrefix("10.0.0.0/8").Contains(pa) && a != pa {
			t.Fatalf("untrusted peer %s but ClientIP = %s", peer, got)
		}
	})
}
