package auth_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
)

// TestOneKidForKeysOfTwoTypes: RFC 7517 §4.5 allows keys of different types under one
// "kid" when they are alternatives to each other. An issuer publishing its RSA and
// its EC key as "k1" signs RS256 tokens with one and ES256 tokens with the other, and
// both must verify, whichever of the two keys the set lists first; a token whose alg
// fits neither key, or signed by a key the issuer does not publish, is still refused.
func TestOneKidForKeysOfTwoTypes(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer()
	t.Cleanup(iss.Close)
	res, err := iss.Client().Get(iss.JWKSURL())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Keys []map[string]string `json:"keys"`
	}
	err = json.NewDecoder(res.Body).Decode(&doc)
	_ = res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	byAlg := map[string]map[string]string{}
	for _, k := range doc.Keys {
		k["kid"] = "k1"
		byAlg[k["alg"]] = k
	}
	stranger := authtest.NewIssuer()
	t.Cleanup(stranger.Close)

	for _, order := range [][]string{{authtest.RS256, authtest.ES256}, {authtest.ES256, authtest.RS256}} {
		t.Run(order[0]+"-first", func(t *testing.T) {
			t.Parallel()
			body, err := json.Marshal(map[string]any{"keys": []map[string]string{byAlg[order[0]], byAlg[order[1]]}})
			if err != nil {
				t.Fatal(err)
			}
			jwksSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
			}))
			t.Cleanup(jwksSrv.Close)
			a, err := auth.New(auth.Config{Issuers: []auth.IssuerConfig{{
				Issuer:     iss.URL(),
				JWKSURL:    jwksSrv.URL,
				Audiences:  []string{authtest.DefaultAudience},
				Algorithms: []string{authtest.RS256, authtest.ES256, authtest.EdDSA},
			}}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(a.Close)
			sign := func(i *authtest.Issuer, alg string) string {
				t.Helper()
				tok, err := i.Sign(map[string]any{"alg": alg, "kid": "k1"}, iss.WithDefaults(authtest.Claims{"sub": "s-" + alg}))
				if err != nil {
					t.Fatal(err)
				}
				return tok
			}
			for _, alg := range order {
				p, err := a.VerifyToken(t.Context(), sign(iss, alg))
				if err != nil {
					t.Fatalf("%s token under the shared kid: %v", alg, err)
				}
				if p.GetSubject() != "s-"+alg {
					t.Fatalf("%s: subject %q", alg, p.GetSubject())
				}
			}
			if _, err := a.VerifyToken(t.Context(), sign(iss, authtest.EdDSA)); err == nil {
				t.Fatal("EdDSA token verified under a kid that names no Ed25519 key")
			}
			if _, err := a.VerifyToken(t.Context(), sign(stranger, authtest.ES256)); auth.ReasonOf(err) != auth.ReasonSignature {
				t.Fatalf("ES256 token from a key the issuer does not publish: %v, want reason %q", err, auth.ReasonSignature)
			}
		})
	}
}
