package cors

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// oldWrap is Wrap's actual-request path as it was before its one-lookup shortcut
// (d05a98b), with AllowsOrigin and setOrigin written out as they were, so that the
// reference does not share code with today's Wrap.
func (h *Handler) oldWrap(w http.ResponseWriter, r *http.Request) {
	origin := headerValue(r.Header, "Origin")
	if r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
		h.preflight(w, r, origin)
		return
	}
	hd := w.Header()
	if vary := hd["Vary"]; len(vary) == 0 {
		hd["Vary"] = varyOrigin
	} else {
		hd["Vary"] = append(vary, "Origin")
	}
	if h.oldAllowsOrigin(origin) {
		h.oldSetOrigin(hd, origin)
		hd["Access-Control-Expose-Headers"] = h.exposeValue
	}
}

func (h *Handler) oldAllowsOrigin(origin string) bool {
	if origin == "" {
		return false
	}
	if h.any {
		return true
	}
	o := strings.ToLower(origin)
	if _, ok := h.exact[o]; ok {
		return true
	}
	for _, p := range h.suffixes {
		if rest, ok := strings.CutPrefix(o, p.scheme); ok && strings.HasSuffix(rest, p.suffix) &&
			len(rest) > len(p.suffix) && !strings.ContainsAny(rest, "/?#@") {
			return true
		}
	}
	return false
}

func (h *Handler) oldSetOrigin(hd http.Header, origin string) {
	switch v, exact := h.exact[origin]; {
	case h.any && !h.credentials:
		hd["Access-Control-Allow-Origin"] = valueAny
	case exact && v[0] == origin:
		hd["Access-Control-Allow-Origin"] = v
	default:
		hd["Access-Control-Allow-Origin"] = []string{origin}
	}
	if h.credentials {
		hd["Access-Control-Allow-Credentials"] = valueTrue
	}
}

// oldWrapConfigs are configurations where an exact lookup could go wrong: origins
// configured twice in different case (the exact table keeps the last spelling),
// only in mixed case, with ports, non-ASCII hosts (one whose lower case is ASCII:
// the Kelvin sign), patterns next to exact origins, and "*".
var oldWrapConfigs = [][]Option{
	{WithAllowedOrigins("https://app.example.com", "https://APP.example.com")},
	{WithAllowedOrigins("https://APP.example.com", "https://app.example.com"), WithCredentials()},
	{WithAllowedOrigins("https://App.Example.com:8443", "http://app.example.com:80")},
	{WithAllowedOrigins("https://\u212aelvin.example", "https://bücher.example", "https://xn--bcher-kva.example")},
	{WithAllowedOrigins("https://kelvin.example", "https://*.example.com", "https://example.com"), WithCredentials()},
	{WithAllowedOrigins("*", "https://app.example.com", "https://Mixed.example.com")},
	{WithAllowedOrigins("https://app.example.com.", "https://[::1]:8443", "http://127.0.0.1:8080")},
}

// oldWrapOrigins are Origin values near the configured ones: other case, a
// trailing dot, default and other ports, userinfo, a path or trailing slash, "null",
// a literal pattern, IDN and punycode, Unicode case folding, invalid UTF-8, and
// control bytes.
var oldWrapOrigins = []string{
	"", "null", "*", "https://app.example.com", "https://APP.example.com", "https://App.Example.com",
	"HTTPS://app.example.com", "https://app.example.com.", "https://app.example.com:443",
	"https://app.example.com:8443", "https://App.Example.com:8443", "https://app.example.com:8443",
	"http://app.example.com:80", "http://app.example.com", "https://user@app.example.com",
	"https://app.example.com/", "https://app.example.com/x", "https://app.example.com?x", "https://app.example.com#x",
	"https://*.example.com", "https://a.example.com", "https://A.EXAMPLE.COM", "https://.example.com",
	"https://a.b.example.com", "https://a@b.example.com", "https://evil.com/.example.com", "https://example.com",
	"https://xexample.com", "https://app.example.com.evil.test", "https://kelvin.example", "https://\u212aelvin.example",
	"https://KELVIN.example", "https://bücher.example", "https://BÜCHER.example", "https://xn--bcher-kva.example",
	"https://Mixed.example.com", "https://mixed.example.com", "https://app.example.com.", "https://APP.example.com.",
	"https://[::1]:8443", "http://127.0.0.1:8080", "https://app.example.com\x00", "https://app.example.com\xff",
	"https://\xc4\xb0.example.com", "https://app.example.com ", " https://app.example.com", "https://app.example.com\r\n",
}

// TestWrapMatchesOld holds Wrap to the code before its shortcut for every
// configuration and origin above, as GET, POST and OPTIONS requests (with and
// without a preflight's method), with and without a Vary the response already
// has: the same headers with the same values, Vary included.
func TestWrapMatchesOld(t *testing.T) {
	t.Parallel()
	for i, opts := range oldWrapConfigs {
		h, err := New(opts...)
		if err != nil {
			t.Fatalf("config %d: %v", i, err)
		}
		for _, origin := range oldWrapOrigins {
			compareWithOld(t, h, i, origin)
		}
	}
}

func compareWithOld(t *testing.T, h *Handler, config int, origin string) {
	t.Helper()
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodOptions} {
		for _, acrm := range []string{"", "POST"} {
			for _, vary := range [][]string{nil, {"Accept-Encoding"}} {
				r := httptest.NewRequest(method, "/x", nil)
				if origin != "" {
					r.Header["Origin"] = []string{origin}
				}
				if acrm != "" {
					r.Header.Set("Access-Control-Request-Method", acrm)
				}
				ours, theirs := httptest.NewRecorder(), httptest.NewRecorder()
				if vary != nil {
					ours.Header()["Vary"] = append([]string(nil), vary...)
					theirs.Header()["Vary"] = append([]string(nil), vary...)
				}
				h.Wrap(next).ServeHTTP(ours, r)
				h.oldWrap(theirs, r)
				if !reflect.DeepEqual(ours.Header(), theirs.Header()) || ours.Code != theirs.Code {
					t.Fatalf("config %d, %s origin %q (ACRM %q, Vary %v): %d %v, before the shortcut %d %v",
						config, method, origin, acrm, vary, ours.Code, ours.Header(), theirs.Code, theirs.Header())
				}
				if method != http.MethodOptions || acrm == "" {
					if got := ours.Header().Values("Vary"); len(got) == 0 || got[len(got)-1] != "Origin" {
						t.Fatalf("config %d, origin %q: Vary %v does not end with Origin", config, origin, got)
					}
				}
			}
		}
	}
}

// FuzzWrapMatchesOld is TestWrapMatchesOld for any origin.
func FuzzWrapMatchesOld(f *testing.F) {
	for _, o := range oldWrapOrigins {
		f.Add(o)
	}
	handlers := make([]*Handler, len(oldWrapConfigs))
	for i, opts := range oldWrapConfigs {
		h, err := New(opts...)
		if err != nil {
			f.Fatalf("config %d: %v", i, err)
		}
		handlers[i] = h
	}
	f.Fuzz(func(t *testing.T, origin string) {
		for i, h := range handlers {
			compareWithOld(t, h, i, origin)
		}
	})
}
