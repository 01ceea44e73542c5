package auth_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
)

var b64 = base64.RawURLEncoding.EncodeToString

// assertRefused checks that a call failed with code and the one fixed message of that
// code, and that nothing more specific reached the caller.
func assertRefused(t *testing.T, r result, code connect.Code) {
	t.Helper()
	if r.err == nil {
		t.Fatalf("call succeeded (subject %q), want %v", r.subject, code)
	}
	if got := connect.CodeOf(r.err); got != code {
		t.Fatalf("code = %v (%v), want %v", got, r.err, code)
	}
	want := map[connect.Code]string{connect.CodeUnauthenticated: "unauthenticated", connect.CodePermissionDenied: "permission denied"}[code]
	var ce *connect.Error
	if !errors.As(r.err, &ce) || ce.Message() != want {
		t.Fatalf("error %v: message must be exactly %q", r.err, want)
	}
	if d := errs.From(r.err); d.Reason != "" && d.Reason != strings.ToUpper(strings.ReplaceAll(want, " ", "_")) {
		t.Fatalf("reason %q reached the caller", d.Reason)
	}
}

func assertAllowed(t *testing.T, r result, subject string) {
	t.Helper()
	if r.err != nil {
		t.Fatalf("call failed: %v", r.err)
	}
	if r.subject != subject {
		t.Fatalf("handler saw subject %q, want %q", r.subject, subject)
	}
}

func splitToken(t *testing.T, tok string) (header, payload, sig string) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	return parts[0], parts[1], parts[2]
}

// TestAttackTable sends each forged, stale or broken token over plain HTTP and over
// every streaming shape; each must be refused as Unauthenticated with the same
// message, and a valid token must pass (so the table can fail).
func TestAttackTable(t *testing.T) {
	t.Parallel()
	a, b := setup(t)
	s := newServer(t, a, harnessPolicy(t, nil))
	iss := b.iss
	now := b.clock.Now()
	kid := iss.KeyID(authtest.RS256)
	valid := iss.Mint(authtest.Claims{"sub": "alice"})

	for _, tr := range transports {
		assertAllowed(t, s.call(t.Context(), tr, bearer(valid)), "alice")
	}

	claims := iss.WithDefaults(authtest.Claims{"sub": "mallory"})
	noneInput, err := authtest.EncodeUnsigned(map[string]any{"alg": "none", "kid": kid, "typ": "JWT"}, claims)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(iss.PublicKey(authtest.RS256))
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	hsInput, err := authtest.EncodeUnsigned(map[string]any{"alg": "HS256", "kid": kid, "typ": "JWT"}, claims)
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, pubPEM)
	mac.Write([]byte(hsInput))
	hsToken := hsInput + "." + b64(mac.Sum(nil))

	vh, vp, vs := splitToken(t, valid)
	_, tamperedPayload, _ := splitToken(t, iss.Mint(authtest.Claims{"sub": "alice", "roles": []string{"admin"}}))
	esToken := iss.MintWith(authtest.ES256, authtest.Claims{"sub": "alice"})
	_, esPayload, esSig := splitToken(t, esToken)
	unknownKid, err := iss.Sign(map[string]any{"alg": "RS256", "kid": "no-such-kid"}, claims)
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name   string
		header http.Header
	}{
		{"alg none", bearer(noneInput + ".")},
		{"alg none with signature", bearer(noneInput + "." + vs)},
		{"HS256 keyed with the public key", bearer(hsToken)},
		{"expired", bearer(iss.Mint(authtest.Claims{"iat": now.Add(-3 * time.Hour).Unix(), "exp": now.Add(-2 * time.Hour).Unix()}))},
		{"nbf in the future", bearer(iss.Mint(authtest.Claims{"nbf": now.Add(time.Hour).Unix()}))},
		{"iat in the future", bearer(iss.Mint(authtest.Claims{"iat": now.Add(time.Hour).Unix()}))},
		{"no exp", bearer(iss.Mint(authtest.Claims{"exp": nil}))},
		{"wrong issuer", bearer(iss.Mint(authtest.Claims{"iss": "https://evil.example"}))},
		{"wrong audience", bearer(iss.Mint(authtest.Claims{"aud": "someone-else"}))},
		{"no audience", bearer(iss.Mint(authtest.Claims{"aud": nil}))},
		{"tampered payload", bearer(vh + "." + tamperedPayload + "." + vs)},
		{"signature from another key", bearer(vh + "." + esPayload + "." + esSig)},
		{"alg switched RS256 to ES256", bearer(b64([]byte(`{"alg":"ES256","kid":"`+kid+`"}`)) + "." + vp + "." + vs)},
		{"malformed base64 (padding)", bearer(vh + "." + vp + "=." + vs)},
		{"malformed base64 (alphabet)", bearer(vh + "." + "*" + vp[1:] + "." + vs)},
		{"malformed base64 signature", bearer(vh + "." + vp + "." + vs + "!")},
		{"two segments", bearer(vh + "." + vp)},
		{"four segments", bearer(valid + "." + vs)},
		{"oversized token", bearer(iss.Mint(authtest.Claims{"pad": strings.Repeat("a", 9000)}))},
		{"unknown kid", bearer(unknownKid)},
		{"empty bearer", http.Header{"Authorization": {"Bearer "}}},
		{"basic scheme", http.Header{"Authorization": {"Basic " + b64([]byte("u:p"))}}},
		{"garbage", bearer("not-a-token")},
		{"no credential", http.Header{}},
		{"unknown API key", http.Header{"X-Api-Key": {"fk_nokey_secret"}}},
	}
	for _, tc := range cases {
		for _, tr := range transports {
			t.Run(tc.name+"/"+tr, func(t *testing.T) {
				t.Parallel()
				assertRefused(t, s.call(t.Context(), tr, tc.header), connect.CodeUnauthenticated)
			})
		}
	}
}

// TestUnknownKidStorm sends 1,000 requests with random kids, concurrently, over the
// wire (plain HTTP, and every eighth a Connect server stream): concurrent misses share
// one fetch, and further misses (200 more, straight to VerifyToken) wait for the
// refresh interval; 200 after it cause exactly one more fetch.
func TestUnknownKidStorm(t *testing.T) {
	t.Parallel()
	a, b := setup(t)
	s := newServer(t, a, harnessPolicy(t, nil))
	claims := b.iss.WithDefaults(authtest.Claims{"sub": "storm"})
	storm := func(round byte, n int, check func(tok string, i int) error) {
		t.Helper()
		errc := make(chan error, n)
		for w := range 8 {
			go func() {
				for i := range n / 8 {
					kid := b64([]byte{round, byte(w), byte(i), byte(i >> 8)})
					tok, err := b.iss.Sign(map[string]any{"alg": "EdDSA", "kid": kid}, claims)
					if err == nil {
						err = check(tok, i)
					}
					errc <- err
				}
			}()
		}
		for range n / 8 * 8 {
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		}
	}
	overTheWire := func(tok string, i int) error {
		tr := "http"
		if i%8 == 7 {
			tr = "server-stream"
		}
		r := s.call(context.Background(), tr, bearer(tok))
		if connect.CodeOf(r.err) != connect.CodeUnauthenticated {
			return fmt.Errorf("%s: random kid answered %w", tr, r.err)
		}
		return nil
	}
	direct := func(tok string, _ int) error {
		if _, err := a.VerifyToken(context.Background(), tok); auth.ReasonOf(err) != auth.ReasonUnknownKey {
			return fmt.Errorf("random kid: %w", err)
		}
		return nil
	}
	storm(1, 1000, overTheWire)
	if n := b.iss.JWKSFetches(); n != 1 {
		t.Fatalf("1,000 requests with unknown kids on a cold cache caused %d JWKS fetches, want 1", n)
	}
	b.clock.Advance(29 * time.Second)
	storm(2, 200, direct)
	if n := b.iss.JWKSFetches(); n != 1 {
		t.Fatalf("JWKS fetches = %d, want still 1 within the refresh interval", n)
	}
	b.clock.Advance(2 * time.Second)
	storm(3, 200, direct)
	if n := b.iss.JWKSFetches(); n != 2 {
		t.Fatalf("after one interval, JWKS fetches = %d, want 2", n)
	}
}

// TestJWKSDownCachedKeysKeepWorking takes the JWKS endpoint down after the keys are
// cached: known keys keep verifying, stale or not.
func TestJWKSDownCachedKeysKeepWorking(t *testing.T) {
	t.Parallel()
	a, b := setup(t)
	s := newServer(t, a, harnessPolicy(t, nil))
	assertAllowed(t, s.call(t.Context(), "http", bearer(b.iss.Mint(authtest.Claims{"sub": "warm"}))), "warm")
	b.iss.SetJWKSFailure(http.StatusServiceUnavailable)

	// An unknown kid forces a refresh, which fails...
	b.clock.Advance(time.Minute)
	before := b.iss.JWKSFetches()
	tok, err := b.iss.Sign(map[string]any{"alg": "RS256", "kid": "rotated-away"}, b.iss.WithDefaults(nil))
	if err != nil {
		t.Fatal(err)
	}
	assertRefused(t, s.call(t.Context(), "server-stream", bearer(tok)), connect.CodeUnauthenticated)
	if got := b.iss.JWKSFetches(); got != before+1 {
		t.Fatalf("JWKS fetches = %d, want %d", got, before+1)
	}
	// ...and the cached keys keep working, on every transport, even once the set is
	// past its refresh interval.
	for _, d := range []time.Duration{0, 20 * time.Minute} {
		b.clock.Advance(d)
		for _, tr := range transports {
			fresh := b.iss.Mint(authtest.Claims{"sub": "still-" + tr}) // new token: no verified-token cache hit
			assertAllowed(t, s.call(t.Context(), tr, bearer(fresh)), "still-"+tr)
		}
	}
}

// TestJWKSSlowColdCache: with the issuer hanging and no keys cached, a request gives
// up with its context and is refused, and Close does not wait for the issuer.
func TestJWKSSlowColdCache(t *testing.T) {
	t.Parallel()
	a, b := setup(t)
	b.iss.SetJWKSDelay(time.Hour)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := a.VerifyToken(ctx, b.iss.Mint(nil))
	if auth.ReasonOf(err) != auth.ReasonKeys {
		t.Fatalf("hanging JWKS on a cold cache: %v, want reason %q", err, auth.ReasonKeys)
	}
	a.Close() // cancels the hanging fetch; goleak checks nothing is left
}

// TestKeyRotation rotates the issuer's key: tokens from the new key verify without a
// restart, and a retired key stops verifying once the set refreshes.
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	a, b := setup(t)
	s := newServer(t, a, harnessPolicy(t, nil))
	for _, alg := range []string{authtest.RS256, authtest.ES256, authtest.EdDSA} {
		oldKid := b.iss.KeyID(alg)
		assertAllowed(t, s.call(t.Context(), "bidi-stream", bearer(b.iss.MintWith(alg, authtest.Claims{"sub": "before"}))), "before")
		oldA := b.iss.MintWith(alg, authtest.Claims{"sub": "old-a"})
		oldB := b.iss.MintWith(alg, authtest.Claims{"sub": "old-b"})

		b.iss.Rotate(alg)
		b.clock.Advance(31 * time.Second)
		for _, tr := range transports {
			assertAllowed(t, s.call(t.Context(), tr, bearer(b.iss.MintWith(alg, authtest.Claims{"sub": "after-" + tr}))), "after-"+tr)
		}
		assertAllowed(t, s.call(t.Context(), "http", bearer(oldA)), "old-a") // old key still published

		b.iss.Retire(oldKid)
		b.clock.Advance(31 * time.Second)
		// An unknown kid makes the verifier refresh now, and it learns the retirement.
		probe, err := b.iss.Sign(map[string]any{"alg": alg, "kid": "probe"}, b.iss.WithDefaults(nil))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.VerifyToken(t.Context(), probe); err == nil {
			t.Fatal("probe token verified")
		}
		for _, tr := range transports {
			assertRefused(t, s.call(t.Context(), tr, bearer(oldB)), connect.CodeUnauthenticated)
		}
	}
}
