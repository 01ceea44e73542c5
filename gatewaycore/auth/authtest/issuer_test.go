package authtest_test

import (
	"encoding/json"
	"net"
	"net/http"
	"testing"

	"github.com/footingdev/footing/gatewaycore/auth/authtest"
)

func TestIssuerEndpointsAndSwitches(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	iss := authtest.NewIssuer(authtest.WithListener(l))
	defer iss.Close()
	if iss.URL() != "http://"+l.Addr().String() {
		t.Fatalf("URL = %s, want the given listener %s", iss.URL(), l.Addr())
	}
	get := func(url string, v any) int {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := iss.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if v != nil && resp.StatusCode == http.StatusOK {
			if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
				t.Fatal(err)
			}
		}
		return resp.StatusCode
	}
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	get(iss.URL()+"/.well-known/openid-configuration", &disc)
	if disc.Issuer != iss.URL() || disc.JWKSURI != iss.JWKSURL() {
		t.Fatalf("discovery = %+v", disc)
	}
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	get(iss.JWKSURL(), &set)
	if len(set.Keys) != 3 {
		t.Fatalf("JWKS has %d keys, want one per algorithm", len(set.Keys))
	}
	newKid := iss.Rotate(authtest.EdDSA)
	iss.Retire(set.Keys[0]["kid"])
	set.Keys = nil
	get(iss.JWKSURL(), &set)
	if len(set.Keys) != 3 || set.Keys[2]["kid"] != newKid || iss.KeyID(authtest.EdDSA) != newKid {
		t.Fatalf("after rotate and retire: %v", set.Keys)
	}
	iss.SetJWKSFailure(http.StatusServiceUnavailable)
	if code := get(iss.JWKSURL(), nil); code != http.StatusServiceUnavailable {
		t.Fatalf("failing JWKS answered %d", code)
	}
	iss.SetJWKSFailure(0)
	if code := get(iss.JWKSURL(), nil); code != http.StatusOK {
		t.Fatalf("healed JWKS answered %d", code)
	}
	if n := iss.JWKSFetches(); n != 4 {
		t.Fatalf("JWKSFetches = %d, want 4", n)
	}
	if _, err := iss.Sign(map[string]any{"alg": "HS256"}, nil); err == nil {
		t.Fatal("signed with an algorithm the issuer has no key for")
	}
}
