package cors_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/footingdev/footing/gatewaycore/cors"
)

// TestDefaultPortsNormalized: browsers send Origin without the scheme's default port
// (RFC 6454 serialization), so an origin or pattern configured with it
// ("https://app.example.com:443") is the origin without it; any other port stays.
func TestDefaultPortsNormalized(t *testing.T) {
	t.Parallel()
	h, err := cors.New(cors.WithAllowedOrigins(
		"https://app.example.com:443", "http://localhost:80", "https://*.example.org:443",
		"http://[::1]:80", "https://api.example.net:8443", "http://plain.example.com:443",
		"HTTPS://Mixed.Example.com:443", "https://zero.example.com:0443", "https://empty.example.com:",
	), cors.WithCredentials())
	if err != nil {
		t.Fatal(err)
	}
	for origin, want := range map[string]bool{
		"https://app.example.com":        true,
		"http://localhost":               true,
		"https://a.example.org":          true,
		"https://a.b.example.org":        true,
		"http://[::1]":                   true,
		"https://mixed.example.com":      true,
		"https://zero.example.com":       true,
		"https://empty.example.com":      true,
		"https://api.example.net:8443":   true,
		"https://api.example.net":        false,
		"http://plain.example.com:443":   true, // 443 is not http's default port
		"http://plain.example.com":       false,
		"http://app.example.com":         false,
		"https://localhost":              false,
		"http://localhost:443":           false,
		"https://app.example.com:8443":   false,
		"https://a.example.org:8443":     false,
		"https://app.example.com.x":      false,
		"https://api.example.net:8443/x": false,
	} {
		if got := h.AllowsOrigin(origin); got != want {
			t.Errorf("AllowsOrigin(%q) = %v, want %v", origin, got, want)
		}
	}

	// The answer echoes the origin as the browser sent it, which it compares with
	// Access-Control-Allow-Origin byte for byte: never the configured ":443".
	srv := h.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, origin := range []string{"https://app.example.com", "http://localhost", "https://a.example.org", "https://mixed.example.com"} {
		for _, method := range []string{http.MethodPost, http.MethodOptions} {
			r := httptest.NewRequest(method, "/pkg.Svc/M", nil)
			r.Header.Set("Origin", origin)
			if method == http.MethodOptions {
				r.Header.Set("Access-Control-Request-Method", http.MethodPost)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, r)
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != origin {
				t.Errorf("%s from %s: Access-Control-Allow-Origin = %q", method, origin, got)
			}
		}
	}
}

// TestPatternsOverATopLevelDomainRefused: a pattern whose fixed part after "*." is a
// single label ("https://*.com") allows every site under that top-level domain; it
// is refused, naming the pattern, with the other problems.
func TestPatternsOverATopLevelDomainRefused(t *testing.T) {
	t.Parallel()
	for _, o := range []string{"https://*.com", "http://*.localhost", "https://*.com:443", "https://*.dev:8443", "https://*.COM"} {
		_, err := cors.New(cors.WithAllowedOrigins("https://app.example.com", o))
		if err == nil {
			t.Errorf("pattern %q accepted", o)
			continue
		}
		if !strings.Contains(err.Error(), `"`+o+`"`) || !strings.Contains(err.Error(), "every site under") {
			t.Errorf("pattern %q: error %q does not name it and say why", o, err)
		}
	}
	// A suffix on the Public Suffix List is as wide as a TLD: its sites are anyone's.
	for _, o := range []string{"https://*.co.uk", "https://*.com.au", "https://*.github.io", "https://*.CO.UK:443"} {
		_, err := cors.New(cors.WithAllowedOrigins(o))
		if err == nil || !strings.Contains(err.Error(), `"`+o+`"`) || !strings.Contains(err.Error(), "public suffix") {
			t.Errorf("pattern %q over a public suffix: error %v, want one naming it and saying why", o, err)
		}
	}
	for _, o := range []string{"https://*", "https://*.", "https://*..com", "https://*.example..com"} {
		if _, err := cors.New(cors.WithAllowedOrigins(o)); err == nil || !strings.Contains(err.Error(), `"`+o+`"`) {
			t.Errorf("pattern %q: want an error naming it, got %v", o, err)
		}
	}
	for _, o := range []string{"https://*.example.com", "https://*.example.co.uk", "http://*.app.localhost:5173", "https://*.acme.github.io", "https://*.corp.internal"} {
		if _, err := cors.New(cors.WithAllowedOrigins(o)); err != nil {
			t.Errorf("pattern %q refused: %v", o, err)
		}
	}
	_, err := cors.New(cors.WithAllowedOrigins("https://*.com", "https://*.net", "nope"))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{`"https://*.com"`, `"https://*.net"`, `"nope"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not report %s", err, want)
		}
	}
}
