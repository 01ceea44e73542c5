package auth

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
)

// FuzzParseJWS feeds arbitrary strings to the compact-JWS parser: it must never panic,
// and whatever it accepts must be structurally sound.
func FuzzParseJWS(f *testing.F) {
	enc := base64.RawURLEncoding.EncodeToString
	seeds := []string{
		"",
		".",
		"..",
		"a.b.c",
		enc([]byte(`{"alg":"RS256","kid":"k"}`)) + "." + enc([]byte(`{"iss":"https://i","sub":"s","aud":["a"],"exp":1}`)) + "." + enc([]byte("sig")),
		enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(`{"sub":"s"}`)) + ".",
		enc([]byte(`{"alg":"HS256"}`)) + "." + enc([]byte(`{"sub":"s"}`)) + "." + enc([]byte("x")),
		enc([]byte(`{"alg":"ES256","crit":["b64"],"b64":false}`)) + "." + enc([]byte(`{}`)) + "." + enc([]byte("x")),
		enc([]byte(`{"alg":"EdDSA"}`)) + "." + enc([]byte(`{"aud":"a","exp":1.5e9,"nbf":"soon","roles":"a b"}`)) + "." + enc([]byte("x")),
		enc([]byte(`[]`)) + "." + enc([]byte(`null`)) + "." + enc([]byte("x")),
		"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzIn0=.c2ln",
		strings.Repeat("A", 100) + "." + strings.Repeat(".", 3),
		enc([]byte(`{"alg":"EdDSA"}`)) + "." + enc([]byte(`{"sub":"s"}`)) + "." + enc([]byte("sig"))[:2] + "\n" + enc([]byte("sig"))[2:],
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		tok, err := parseJWS(token, DefaultMaxTokenBytes)
		if err != nil {
			if ReasonOf(err) == "" {
				t.Fatalf("parseJWS error %v has no reason", err)
			}
			if strings.Contains(err.Error(), token) && token != "" && len(token) > 8 {
				t.Fatalf("error %q echoes the token", err)
			}
			return
		}
		if len(token) > DefaultMaxTokenBytes {
			t.Fatalf("accepted a token of %d bytes", len(token))
		}
		if !supportedAlgorithm(tok.header.Alg) {
			t.Fatalf("accepted alg %q", tok.header.Alg)
		}
		if strings.Count(token, ".") != 2 || !strings.HasPrefix(token, tok.signingInput+".") {
			t.Fatalf("accepted %q with signing input %q", token, tok.signingInput)
		}
		if enc(tok.signature) != token[len(tok.signingInput)+1:] {
			t.Fatalf("accepted %q, whose signature is not spelled canonically", token)
		}
		if tok.claims.raw == nil {
			t.Fatal("accepted a token without a claims object")
		}
	})
}

func TestTokenCacheBoundAndExpiry(t *testing.T) {
	t.Parallel()
	c := newTokenCache(cacheShards * 2)
	for i := range 1000 {
		tok := fmt.Sprintf("token-%d", i)
		c.put(c.key(tok), tok, nil, int64(100+i))
	}
	if n := c.len(); n > cacheShards*2 {
		t.Fatalf("cache holds %d entries, bound %d", n, cacheShards*2)
	}
	const tok = "the-token"
	k := c.key(tok)
	c.put(k, tok, nil, 50)
	if _, ok := c.get(k, tok, 50); !ok {
		t.Fatal("entry missing at its last valid second")
	}
	if _, ok := c.get(k, tok, 51); ok {
		t.Fatal("entry served after its expiry")
	}
	if _, ok := c.get(k, tok, 50); ok {
		t.Fatal("expired entry was not dropped")
	}
}

// TestTokenCacheCollision: an entry is served only for the very token it was put
// under, whatever the hash says, so a colliding token can never borrow its Principal.
func TestTokenCacheCollision(t *testing.T) {
	t.Parallel()
	c := newTokenCache(100)
	p := &commonv1.Principal{Subject: "victim"}
	const tok = "header.payload.signature"
	k := c.key(tok)
	c.put(k, tok, p, 100)
	for _, other := range []string{"header.payload.signaturX", "header.payload.signature ", "", tok[:len(tok)-1],
		"X" + tok[1:], "extra." + tok} {
		if got, ok := c.get(k, other, 1); ok {
			t.Fatalf("token %q under the same key got %v", other, got)
		}
	}
	if got, ok := c.get(k, tok, 1); !ok || got != p {
		t.Fatalf("the token itself: %v, %v", got, ok)
	}
	// A token longer than keyTail is filed under its end: one that differs only
	// before it gets the same key, and still never the entry.
	long := strings.Repeat("h", 500) + "." + strings.Repeat("s", keyTail)
	forged := "X" + long[1:]
	if c.key(long) != c.key(forged) {
		t.Fatal("tokens with the same end got different keys")
	}
	c.put(c.key(long), long, p, 100)
	if got, ok := c.get(c.key(forged), forged, 1); ok {
		t.Fatalf("a token differing before the hashed end got %v", got)
	}
	if got, ok := c.get(c.key(long), long, 1); !ok || got != p {
		t.Fatalf("the long token itself: %v, %v", got, ok)
	}
}
