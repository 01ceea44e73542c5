package edge_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/gatewaycore/edge"
)

func TestMetadataRequestID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		keep     bool
	}{
		{"none", "", false},
		{"well formed", "abc-123_x.y:z", true},
		{"injection", "abc\nlevel=error", false},
		{"spaces", "a b", false},
		{"too long", strings.Repeat("a", edge.MaxRequestIDLen+1), false},
		{"max length", strings.Repeat("a", edge.MaxRequestIDLen), true},
		// A token sent by mistake is not echoed, logged or put on spans as the id.
		{"a JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ", false},
		{"a JWT inside", "req:eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2ln", false},
		{"eyJ without dots", "eyJhbGciOiJIUzI1NiJ9", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var seen string
			h := edge.Metadata(edge.WithRequestIDGenerator(func() string { return "generated" }))(
				http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { seen = identity.RequestID(r.Context()) }))
			r := httptest.NewRequest(http.MethodGet, "/pkg.Svc/M", nil)
			if tc.in != "" {
				r.Header.Set(edge.HeaderRequestID, tc.in)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			want := "generated"
			if tc.keep {
				want = tc.in
			}
			if seen != want || rec.Header().Get(edge.HeaderRequestID) != want {
				t.Fatalf("ctx %q, echoed %q, want %q", seen, rec.Header().Get(edge.HeaderRequestID), want)
			}
		})
	}
}

func TestMetadataFields(t *testing.T) {
	t.Parallel()
	tp, err := edge.NewTrustedProxies("10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	h := edge.Metadata(edge.WithTrustedProxies(tp))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		md, ok := identity.RequestMetadataFrom(r.Context())
		if !ok {
			t.Error("no metadata")
			return
		}
		if _, ok := identity.PrincipalSlotFrom(r.Context()); !ok {
			t.Error("no principal slot")
		}
		_, _ = io.WriteString(w, md.GetClientIp()+"|"+md.GetUserAgent()+"|"+md.GetTraceparent()+"|"+md.GetProcedure())
	}))
	r := httptest.NewRequest(http.MethodPost, "/pkg.Svc/M", nil)
	r.RemoteAddr = "10.1.2.3:4444"
	r.Header.Set("X-Forwarded-For", "203.0.113.9")
	r.Header.Set("User-Agent", "ua/1")
	r.Header.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	want := "203.0.113.9|ua/1|00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01|/pkg.Svc/M"
	if rec.Body.String() != want {
		t.Fatalf("got %q, want %q", rec.Body.String(), want)
	}
}

func TestClientIP(t *testing.T) {
	t.Parallel()
	tp, err := edge.NewTrustedProxies("10.0.0.0/8", "192.168.1.1", "::1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"no proxy", "203.0.113.1:1", nil, "203.0.113.1"},
		{"untrusted peer ignores xff", "203.0.113.1:1", []string{"1.2.3.4"}, "203.0.113.1"},
		{"trusted peer", "10.0.0.1:1", []string{"1.2.3.4"}, "1.2.3.4"},
		{"chain of trusted", "10.0.0.1:1", []string{"1.2.3.4, 192.168.1.1, 10.9.9.9"}, "1.2.3.4"},
		{"spoofed left entry", "10.0.0.1:1", []string{"6.6.6.6, 1.2.3.4"}, "1.2.3.4"},
		{"two headers", "10.0.0.1:1", []string{"6.6.6.6", "1.2.3.4"}, "1.2.3.4"},
		{"garbage stops walk", "10.0.0.1:1", []string{"1.2.3.4, junk, 10.2.2.2"}, "10.2.2.2"},
		{"all trusted", "10.0.0.1:1", []string{"10.2.2.2"}, "10.2.2.2"},
		{"ipv6 peer", "[::1]:8080", []string{"2001:db8::1"}, "2001:db8::1"},
		{"mapped v4", "[::ffff:10.0.0.1]:1", []string{"1.2.3.4"}, "1.2.3.4"},
		{"bad remote", "nonsense", nil, ""},
		// Some proxies and load balancers write the client's port too; without
		// reading it, every client behind them would share the proxy's address.
		{"xff with port", "10.0.0.1:1", []string{"1.2.3.4:5123"}, "1.2.3.4"},
		{"xff ipv6 with port", "10.0.0.1:1", []string{"[2001:db8::1]:443"}, "2001:db8::1"},
		{"xff ipv6 bracketed", "10.0.0.1:1", []string{"[2001:db8::1]"}, "2001:db8::1"},
		{"trusted hop with port", "10.0.0.1:1", []string{"1.2.3.4, 10.2.2.2:80"}, "1.2.3.4"},
		{"spoofed left of a port form", "10.0.0.1:1", []string{"6.6.6.6, 1.2.3.4:99"}, "1.2.3.4"},
		{"zone dropped", "10.0.0.1:1", []string{"fe80::1%eth0"}, "fe80::1"},
		{"bad port stops walk", "10.0.0.1:1", []string{"1.2.3.4:99999"}, "10.0.0.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := tp.ClientIP(r); got != tc.want {
				t.Fatalf("ClientIP = %q, want %q", got, tc.want)
			}
		})
	}
	if _, err := edge.NewTrustedProxies("10.0.0.0/33", "nope", "1.1.1.1"); err == nil ||
		!strings.Contains(err.Error(), "nope") || !strings.Contains(err.Error(), "10.0.0.0/33") {
		t.Fatalf("want both bad entries reported, got %v", err)
	}
}

func TestRecover(t *testing.T) {
	t.Parallel()
	var gotID string
	var gotValue any
	h := edge.Recover(edge.WithPanicHook(func(_ context.Context, _ *http.Request, id string, v any, stack []byte) {
		gotID, gotValue = id, v
		if len(stack) == 0 {
			t.Error("no stack")
		}
	}))(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("secret-token-123") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != 500 || gotValue != "secret-token-123" || gotID == "" {
		t.Fatalf("code %d value %v id %q", rec.Code, gotValue, gotID)
	}
	body := rec.Body.String()
	if strings.Contains(body, "secret-token-123") || !strings.Contains(body, gotID) {
		t.Fatalf("body %s: want the error id %s and not the panic value", body, gotID)
	}

	abort := edge.Recover()(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
	func() {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler { //nolint:errorlint // the exact sentinel value
				t.Fatalf("recovered %v, want ErrAbortHandler re-panicked", v)
			}
		}()
		abort.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}()
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	h := edge.BodyLimit(10)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			if edge.IsBodyTooLarge(err) {
				w.WriteHeader(http.StatusRequestEntityTooLarge)
				return
			}
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	for _, tc := range []struct {
		name   string
		body   string
		length int64
		want   int
	}{
		{"small", "hello", 5, 200},
		{"declared too large", strings.Repeat("x", 11), 11, 413},
		{"chunked too large", strings.Repeat("x", 100), -1, 413},
	} {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
		r.ContentLength = tc.length
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, rec.Code, tc.want)
		}
	}
}

func TestTimeouts(t *testing.T) {
	t.Parallel()
	h := edge.Timeouts(edge.RouteTimeouts{
		Default: time.Minute,
		Routes:  map[string]time.Duration{"/pkg.Svc/": time.Hour, "/pkg.Svc/Slow": 3 * time.Hour, "/free/": 0},
	})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dl, ok := r.Context().Deadline()
		if !ok {
			_, _ = io.WriteString(w, "none")
			return
		}
		_, _ = io.WriteString(w, time.Until(dl).Round(time.Minute).String())
	}))
	for path, want := range map[string]string{
		"/x": "1m0s", "/pkg.Svc/M": "1h0m0s", "/pkg.Svc/Slow": "3h0m0s", "/free/a": "none",
		// Behind a router that does not clean paths, another spelling of a route must
		// not escape its timeout: every form a router may route by is judged
		// (routepath.Forms), as auth and ratelimit do, and the strictest route wins —
		// "/pkg.Svc/./Slow" as sent falls under "/pkg.Svc/" (1h) for such a router.
		"//pkg.Svc/Slow": "3h0m0s", "/pkg.Svc/./Slow": "1h0m0s", "/x/../pkg.Svc/M": "1h0m0s", "//free/a": "none",
	} {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL.Path = path // as sent
		h.ServeHTTP(rec, r)
		if rec.Body.String() != want {
			t.Errorf("%s: deadline in %s, want %s", path, rec.Body.String(), want)
		}
	}
}

func TestCompress(t *testing.T) {
	t.Parallel()
	big := strings.Repeat(`{"k":"v"},`, 500)
	h := edge.Compress(0)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/small" {
			_, _ = io.WriteString(w, "{}")
			return
		}
		_, _ = io.WriteString(w, big)
	}))
	tests := []struct {
		name, path, accept, ctype string
		gzipped                   bool
	}{
		{"big json", "/big", "gzip, deflate", "", true},
		{"no accept", "/big", "", "", false},
		{"q=0", "/big", "gzip;q=0", "", false},
		{"small", "/small", "gzip", "", false},
		{"grpc", "/big", "gzip", "application/grpc", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, tc.path, nil)
			if tc.accept != "" {
				r.Header.Set("Accept-Encoding", tc.accept)
			}
			if tc.ctype != "" {
				r.Header.Set("Content-Type", tc.ctype)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			gz := rec.Header().Get("Content-Encoding") == "gzip"
			if gz != tc.gzipped {
				t.Fatalf("gzipped = %v, want %v", gz, tc.gzipped)
			}
			body := rec.Body.Bytes()
			if gz {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if want := map[bool]string{true: "{}", false: big}[tc.path == "/small"]; string(body) != want {
				t.Fatalf("body mismatch: %d bytes", len(body))
			}
		})
	}
}

func TestNewRequestIDUnique(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 10000 {
		id := edge.NewRequestID()
		if len(id) != 32 || !edge.ValidRequestID(id) || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
}

func BenchmarkNewRequestID(b *testing.B) {
	for b.Loop() {
		_ = edge.NewRequestID()
	}
}

// TestMetadataProcedureIsCleaned: RequestMetadata.Procedure feeds logs and metrics, so
// it must be the cleaned path auth and ratelimit judge, not the caller's spelling.
func TestMetadataProcedureIsCleaned(t *testing.T) {
	t.Parallel()
	h := edge.Metadata()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		md, _ := identity.RequestMetadataFrom(r.Context())
		_, _ = io.WriteString(w, md.GetProcedure())
	}))
	for _, tc := range []struct{ path, want string }{
		{"/pkg.Svc/M", "/pkg.Svc/M"},
		{"//pkg.Svc/./M", "/pkg.Svc/M"},
		{"/public/../admin", "/admin"},
		{"/x/..//pkg.Svc//M", "/pkg.Svc/M"},
		{"/api/", "/api/"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			r.URL.Path = tc.path // as a server hands it over: uncleaned
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if got := rec.Body.String(); got != tc.want {
				t.Fatalf("Procedure for %q = %q, want %q", tc.path, got, tc.want)
			}
			if got := edge.Procedure(r); got != tc.want {
				t.Fatalf("edge.Procedure(%q) = %q, want %q", tc.path, got, tc.want)
			}
		})
	}
}
