package auth_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
)

// bareVerify is the baseline: only the signature check of the token, with the key in
// hand, on the standard library — what any JWT verifier must at least spend.
func bareVerify(alg string, pub crypto.PublicKey, token string) bool {
	dot := strings.LastIndexByte(token, '.')
	sig, err := base64.RawURLEncoding.DecodeString(token[dot+1:])
	if err != nil {
		return false
	}
	switch alg {
	case authtest.RS256:
		sum := sha256.Sum256([]byte(token[:dot]))
		return rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), crypto.SHA256, sum[:], sig) == nil
	case authtest.ES256:
		sum := sha256.Sum256([]byte(token[:dot]))
		return ecdsa.Verify(pub.(*ecdsa.PublicKey), sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
	default:
		return ed25519.Verify(pub.(ed25519.PublicKey), []byte(token[:dot]), sig)
	}
}

// BenchmarkVerifyToken measures VerifyToken on a cache miss (full parse, claim checks,
// key lookup in the warm JWKS cache, signature) and on a hit (SHA-256 of the token and
// a map lookup), against the bare signature check. x-baseline is ns/op divided by the
// baseline's ns/op.
func BenchmarkVerifyToken(b *testing.B) {
	iss := authtest.NewIssuer()
	defer iss.Close()
	newAuth := func(cacheSize int) *auth.Authenticator {
		a, err := auth.New(auth.Config{Issuers: []auth.IssuerConfig{iss.Config()}, HTTPClient: iss.Client(), CacheSize: cacheSize})
		if err != nil {
			b.Fatal(err)
		}
		return a
	}
	noCache, withCache := newAuth(-1), newAuth(0)
	defer noCache.Close()
	defer withCache.Close()
	ctx := context.Background()
	claims := authtest.Claims{
		"sub": "user-1", "tenant_id": "8d5e2a34-6a5c-4f5e-9f0e-2b1f6c0b1a11",
		"roles": []string{"member"}, "scope": "adr:read adr:write", "exp": time.Now().Add(24 * time.Hour).Unix(),
	}
	for _, alg := range []string{authtest.RS256, authtest.ES256, authtest.EdDSA} {
		token := iss.MintWith(alg, claims)
		pub := iss.PublicKey(alg)
		for _, a := range []*auth.Authenticator{noCache, withCache} {
			if _, err := a.VerifyToken(ctx, token); err != nil { // warm the key set
				b.Fatal(err)
			}
		}
		var baseline float64
		b.Run(alg+"/baseline", func(b *testing.B) {
			for b.Loop() {
				if !bareVerify(alg, pub, token) {
					b.Fatal("baseline did not verify")
				}
			}
			baseline = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		})
		run := func(name string, a *auth.Authenticator) {
			b.Run(alg+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := a.VerifyToken(ctx, token); err != nil {
						b.Fatal(err)
					}
				}
				if baseline > 0 {
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/baseline, "x-baseline")
				}
			})
		}
		run("miss", noCache)
		run("hit", withCache)
		// The same verification with a popular JWT library, key handed over directly
		// (no key-set lookup), for the README's choice.
		b.Run(alg+"/golang-jwt", func(b *testing.B) {
			b.ReportAllocs()
			parser := jwt.NewParser(
				jwt.WithValidMethods([]string{alg}), jwt.WithIssuer(iss.URL()),
				jwt.WithAudience(authtest.DefaultAudience), jwt.WithExpirationRequired(), jwt.WithLeeway(time.Minute))
			keyFunc := func(*jwt.Token) (any, error) { return pub, nil }
			for b.Loop() {
				if _, err := parser.Parse(token, keyFunc); err != nil {
					b.Fatal(err)
				}
			}
			if baseline > 0 {
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/baseline, "x-baseline")
			}
		})
	}
}
