package jwks_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/footingdev/footing/gatewaycore/auth/jwks"
)

// network stands in for the internet between a service and its issuer: every request
// for an https URL reaches the TLS server (the real issuer), every request for a
// plain-http URL reaches the plain server — which anyone on the path can answer, so
// here it serves an attacker's key.
type network struct {
	tls, plain *httptest.Server
	client     *http.Client
}

func newNetwork(t *testing.T, issuer http.Handler) *network {
	t.Helper()
	attacker := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{
			{"kty": "OKP", "crv": "Ed25519", "kid": "attacker", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
		}})
	})
	n := &network{tls: httptest.NewTLSServer(issuer), plain: httptest.NewServer(attacker)}
	t.Cleanup(n.tls.Close)
	t.Cleanup(n.plain.Close)
	base := n.tls.Client().Transport
	n.client = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		target := n.plain
		if r.URL.Scheme == "https" {
			target = n.tls
		}
		u, _ := url.Parse(target.URL)
		r.URL.Host = u.Host
		return base.RoundTrip(r)
	})}
	return n
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestCacheRefusesKeysOverPlainHTTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("redirect to http", func(t *testing.T) {
		t.Parallel()
		n := newNetwork(t, http.RedirectHandler("http://id.example.com/keys", http.StatusFound))
		c := newCache(t, jwks.Config{URL: "https://id.example.com/keys", HTTPClient: n.client})
		if k, err := c.Lookup(ctx, "attacker"); err == nil || !errors.Is(err, jwks.ErrUnavailable) {
			t.Fatalf("a redirect from https to http was followed: key %q, err %v", k.ID, err)
		}
	})

	t.Run("discovery names an http jwks_uri", func(t *testing.T) {
		t.Parallel()
		n := newNetwork(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": "https://id.example.com", "jwks_uri": "http://id.example.com/keys"})
		}))
		c := newCache(t, jwks.Config{Issuer: "https://id.example.com", HTTPClient: n.client})
		if k, err := c.Lookup(ctx, "attacker"); err == nil || !errors.Is(err, jwks.ErrUnavailable) {
			t.Fatalf("an http jwks_uri was fetched: key %q, err %v", k.ID, err)
		}
	})

	t.Run("http urls need AllowInsecureHTTP unless on loopback", func(t *testing.T) {
		t.Parallel()
		for _, cfg := range []jwks.Config{
			{URL: "http://id.example.com/keys"},
			{Issuer: "http://id.example.com"},
			{URL: "http://10.1.2.3:8080/keys"},
		} {
			if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "https") {
				t.Errorf("Validate(%+v) = %v, want an error asking for https", cfg, err)
			}
			cfg.AllowInsecureHTTP = true
			if err := cfg.Validate(); err != nil {
				t.Errorf("Validate(%+v) = %v, want nil with AllowInsecureHTTP", cfg, err)
			}
		}
		for _, cfg := range []jwks.Config{
			{URL: "http://127.0.0.1:8080/keys"},
			{URL: "http://[::1]:8080/keys"},
			{Issuer: "http://localhost:8080"},
			{URL: "https://id.example.com/keys"},
		} {
			if err := cfg.Validate(); err != nil {
				t.Errorf("Validate(%+v) = %v, want nil", cfg, err)
			}
		}
	})

	t.Run("https still works, and so does a redirect within https", func(t *testing.T) {
		t.Parallel()
		mux := http.NewServeMux()
		mux.Handle("/old", http.RedirectHandler("/keys", http.StatusFound))
		mux.HandleFunc("/keys", func(w http.ResponseWriter, _ *http.Request) {
			_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{
				{"kty": "OKP", "crv": "Ed25519", "kid": "real", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
			}})
		})
		n := newNetwork(t, mux)
		c := newCache(t, jwks.Config{URL: "https://id.example.com/old", HTTPClient: n.client})
		if _, err := c.Lookup(ctx, "real"); err != nil {
			t.Fatalf("https key set: %v", err)
		}
	})
}
