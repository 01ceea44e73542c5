package jwks_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"testing"

	"github.com/footingdev/footing/gatewaycore/auth/jwks"
)

var enc = base64.RawURLEncoding.EncodeToString

func TestParse(t *testing.T) {
	t.Parallel()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	weak, err := rsa.GenerateKey(rand.Reader, 1024) //nolint:gosec // a deliberately weak key, to be refused
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecRaw, _ := ec.PublicKey.Bytes()
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaJWK := func(kid string, k *rsa.PrivateKey) map[string]string {
		return map[string]string{"kty": "RSA", "kid": kid, "n": enc(k.N.Bytes()), "e": enc(big.NewInt(int64(k.E)).Bytes())}
	}
	offCurve := append([]byte(nil), ecRaw...)
	offCurve[len(offCurve)-1] ^= 1
	keys := []map[string]string{
		rsaJWK("rsa", rsaKey),
		rsaJWK("weak", weak),
		{"kty": "EC", "kid": "ec", "crv": "P-256", "x": enc(ecRaw[1:33]), "y": enc(ecRaw[33:])},
		{"kty": "EC", "kid": "off-curve", "crv": "P-256", "x": enc(offCurve[1:33]), "y": enc(offCurve[33:])},
		{"kty": "EC", "kid": "short", "crv": "P-256", "x": enc(ecRaw[2:33]), "y": enc(ecRaw[33:])},
		{"kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": enc(edPub)},
		{"kty": "OKP", "kid": "x25519", "crv": "X25519", "x": enc(edPub)},
		{"kty": "oct", "kid": "hmac", "k": enc([]byte("secret"))},
		{"kty": "OKP", "kid": "enc", "use": "enc", "crv": "Ed25519", "x": enc(edPub)},
		{"kty": "OKP", "kid": "padded", "crv": "Ed25519", "x": enc(edPub) + "="},
		{"kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": enc(make([]byte, 32))}, // duplicate id: first wins
	}
	doc, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	set, err := jwks.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, k := range set.Keys() {
		ids = append(ids, k.ID)
	}
	if fmt.Sprint(ids) != "[rsa ec ed]" {
		t.Fatalf("usable keys = %v, want [rsa ec ed]", ids)
	}
	if k, _ := set.Lookup("ed"); !k.Public.(ed25519.PublicKey).Equal(edPub) {
		t.Fatal("duplicate kid replaced the first key")
	}
	if k, _ := set.Lookup("rsa"); !k.Public.(*rsa.PublicKey).Equal(&rsaKey.PublicKey) {
		t.Fatal("RSA key does not round-trip")
	}
	if k, _ := set.Lookup("ec"); !k.Public.(*ecdsa.PublicKey).Equal(&ec.PublicKey) {
		t.Fatal("EC key does not round-trip")
	}
	for _, bad := range []string{``, `[]`, `{"keys":null}`, `{}`, `{"keys":{}}`, `nope`} {
		if _, err := jwks.Parse([]byte(bad)); !errors.Is(err, jwks.ErrInvalidSet) {
			t.Errorf("Parse(%q) = %v, want ErrInvalidSet", bad, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"},{"kty":"oct","k":"AA"}]}`))
	f.Add([]byte(`{"keys":[1,"x",null,{}]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","key_ops":["encrypt"],"x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := jwks.Parse(data)
		if err != nil {
			if !errors.Is(err, jwks.ErrInvalidSet) {
				t.Fatalf("error %v does not wrap ErrInvalidSet", err)
			}
			return
		}
		for _, k := range set.Keys() {
			switch pub := k.Public.(type) {
			case *rsa.PublicKey:
				if pub.N.BitLen() < jwks.MinRSABits {
					t.Fatalf("accepted a %d-bit RSA key", pub.N.BitLen())
				}
			case *ecdsa.PublicKey, ed25519.PublicKey:
			default:
				t.Fatalf("accepted key of type %T", pub)
			}
			if got, ok := set.Lookup(k.ID); !ok || got.ID != k.ID {
				t.Fatalf("key %q not found by its id", k.ID)
			}
		}
	})
}

// TestParseHonoursKeyOps: a key whose "key_ops" (RFC 7517 §4.3) does not include
// "verify" — an encryption or wrapping key, say — must never verify a signature, just
// as a key with "use": "enc" must not.
func TestParseHonoursKeyOps(t *testing.T) {
	t.Parallel()
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key := func(kid string, extra map[string]any) map[string]any {
		k := map[string]any{"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": enc(edPub)}
		for name, v := range extra {
			k[name] = v
		}
		return k
	}
	doc, err := json.Marshal(map[string]any{"keys": []map[string]any{
		key("verify", map[string]any{"key_ops": []string{"verify"}}),
		key("sign-verify", map[string]any{"key_ops": []string{"sign", "verify"}}),
		key("no-ops", nil),
		key("encrypt", map[string]any{"key_ops": []string{"encrypt"}}),
		key("wrap", map[string]any{"key_ops": []string{"wrapKey", "unwrapKey"}}),
		key("empty-ops", map[string]any{"key_ops": []string{}}),
		key("bad-ops", map[string]any{"key_ops": "verify"}),
		key("use-enc-ops-verify", map[string]any{"use": "enc", "key_ops": []string{"verify"}}),
	}})
	if err != nil {
		t.Fatal(err)
	}
	set, err := jwks.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, k := range set.Keys() {
		ids = append(ids, k.ID)
	}
	if fmt.Sprint(ids) != "[verify sign-verify no-ops]" {
		t.Fatalf("usable keys = %v, want [verify sign-verify no-ops]", ids)
	}
}

// TestParseKeepsKeysWithoutID: "kid" is optional, and an issuer mid-rotation may
// publish two keys without one; both must stay usable.
func TestParseKeepsKeysWithoutID(t *testing.T) {
	t.Parallel()
	a, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	doc := fmt.Sprintf(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":%q},{"kty":"OKP","crv":"Ed25519","x":%q},{"kty":"OKP","crv":"Ed25519","kid":"k","x":%q}]}`, enc(a), enc(b), enc(b))
	set, err := jwks.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	keys := set.Keys()
	if len(keys) != 3 || !keys[0].Public.(ed25519.PublicKey).Equal(a) || !keys[1].Public.(ed25519.PublicKey).Equal(b) {
		t.Fatalf("keys = %v, want both keys without id and k", keys)
	}
	if k, ok := set.Lookup(""); !ok || !k.Public.(ed25519.PublicKey).Equal(a) {
		t.Fatal(`Lookup("") does not find the first key without id`)
	}
}
