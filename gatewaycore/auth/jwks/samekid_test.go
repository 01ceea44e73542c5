package jwks_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/footingdev/footing/gatewaycore/auth/jwks"
)

// TestParseKeepsAlternativesUnderOneID: keys of different types, curves or pinned
// algs may share a "kid" as alternatives (RFC 7517 §4.5), so all are kept; a second
// key of the same kind under an id is still dropped, and Lookup finds the first.
func TestParseKeepsAlternativesUnderOneID(t *testing.T) {
	t.Parallel()
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ec := func(k *ecdsa.PrivateKey, crv, alg string) map[string]string {
		raw, _ := k.PublicKey.Bytes()
		n := (len(raw) - 1) / 2
		return map[string]string{"kty": "EC", "kid": "k", "crv": crv, "alg": alg, "x": enc(raw[1 : 1+n]), "y": enc(raw[1+n:])}
	}
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := json.Marshal(map[string]any{"keys": []map[string]string{
		ec(p256, "P-256", "ES256"),
		{"kty": "OKP", "kid": "k", "crv": "Ed25519", "x": enc(edPub)},            // another type
		ec(p384, "P-384", "ES384"),                                               // another curve
		ec(p256, "P-256", ""),                                                    // another pinned alg (none)
		ec(p256, "P-256", "ES256"),                                               // the same kind again: dropped
		{"kty": "OKP", "kid": "k", "crv": "Ed25519", "x": enc(make([]byte, 32))}, // dropped
	}})
	if err != nil {
		t.Fatal(err)
	}
	set, err := jwks.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range set.Keys() {
		got = append(got, fmt.Sprintf("%T/%s", k.Public, k.Algorithm))
	}
	if want := "[*ecdsa.PublicKey/ES256 ed25519.PublicKey/ *ecdsa.PublicKey/ES384 *ecdsa.PublicKey/]"; fmt.Sprint(got) != want {
		t.Fatalf("keys = %v, want %s", got, want)
	}
	if k, _ := set.Lookup("k"); k.Algorithm != "ES256" {
		t.Fatalf("Lookup found %+v, want the first key", k)
	}
}
