package cors

import (
	"net/http"
	"reflect"
	"testing"
)

// FuzzAllowFastPath checks that allow, with its one-lookup path for an origin sent
// exactly as configured, sets exactly the headers, values and shared value slices
// that allowGeneral (AllowsOrigin, then setOrigin) sets, for any origin and every
// kind of configuration: exact origins in lower and mixed case, patterns, "*", with
// and without credentials, and origins configured with their default port.
func FuzzAllowFastPath(f *testing.F) {
	for _, o := range []string{
		"https://app.example.com", "HTTPS://APP.EXAMPLE.COM", "https://App.Example.com",
		"https://Mixed.Example.net", "https://mixed.example.net", "https://a.example.org",
		"https://example.org", "http://app.example.com", "", "null", "https://app.example.com.evil.test",
	} {
		f.Add(o)
	}
	configs := [][]Option{
		{WithAllowedOrigins("https://app.example.com", "https://Mixed.Example.net", "https://*.example.org"), WithCredentials()},
		{WithAllowedOrigins("https://app.example.com", "https://Mixed.Example.net")},
		{WithAllowedOrigins("*", "https://app.example.com")},
		{WithAllowedOrigins("https://*.example.org", "http://app.example.com:8080"), WithCredentials()},
		// Default ports, normalized away at configuration.
		{WithAllowedOrigins("https://app.example.com:443", "HTTPS://Mixed.Example.net:443", "https://*.example.org:443"), WithCredentials()},
	}
	handlers := make([]*Handler, len(configs))
	for i, opts := range configs {
		h, err := New(opts...)
		if err != nil {
			f.Fatal(err)
		}
		handlers[i] = h
	}
	f.Fuzz(func(t *testing.T, origin string) {
		for i, h := range handlers {
			fast, general := http.Header{}, http.Header{}
			h.allow(fast, origin)
			h.allowGeneral(general, origin)
			if !reflect.DeepEqual(fast, general) {
				t.Fatalf("config %d, origin %q: fast path set %v, general path %v", i, origin, fast, general)
			}
			for k, v := range fast {
				if len(v) > 0 && len(general[k]) > 0 && &v[0] != &general[k][0] && cap(v) == len(v) && isShared(h, v) != isShared(h, general[k]) {
					t.Fatalf("config %d, origin %q: %s shares its value on one path only", i, origin, k)
				}
			}
		}
	})
}

// isShared reports whether v is one of h's prebuilt value slices.
func isShared(h *Handler, v []string) bool {
	for _, s := range append([][]string{valueTrue, valueAny, varyOrigin, h.exposeValue}, exactValues(h)...) {
		if &s[0] == &v[0] {
			return true
		}
	}
	return false
}

func exactValues(h *Handler) [][]string {
	var out [][]string
	for _, v := range h.exact {
		out = append(out, v)
	}
	return out
}
