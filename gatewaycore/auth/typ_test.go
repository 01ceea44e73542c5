package auth_test

import (
	"context"
	"testing"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
)

// typed signs claims (with the issuer's defaults) under RS256 with the given "typ";
// typ nil leaves it out.
func typed(t *testing.T, iss *authtest.Issuer, typ any, claims authtest.Claims) string {
	t.Helper()
	tok, err := iss.Sign(map[string]any{"alg": authtest.RS256, "typ": typ}, iss.WithDefaults(claims))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestTypedAccessTokens runs the attack table's transports against an issuer that
// types its access tokens "at+jwt" (RFC 9068): its ID tokens and every other or
// missing "typ" are Unauthenticated over plain HTTP and every streaming shape, while
// "at+jwt" passes however it is spelled (RFC 7515 §4.1.9: case-insensitive, the
// "application/" prefix optional).
func TestTypedAccessTokens(t *testing.T) {
	t.Parallel()
	a, b := setup(t, func(c *auth.Config) { c.Issuers[0].Types = []string{"at+jwt"} })
	s := newServer(t, a, harnessPolicy(t, nil))
	iss := b.iss

	for _, typ := range []string{"at+jwt", "application/at+jwt", "AT+JWT", "Application/At+Jwt"} {
		tok := typed(t, iss, typ, authtest.Claims{"sub": "alice"})
		for _, tr := range transports {
			assertAllowed(t, s.call(t.Context(), tr, bearer(tok)), "alice")
		}
	}

	cases := []struct {
		name string
		typ  any
	}{
		{"ID token (typ JWT)", "JWT"},
		{"no typ", nil},
		{"empty typ", ""},
		{"application/jwt", "application/jwt"},
		{"another type", "secevent+jwt"},
		{"another top-level type", "text/at+jwt"},
		{"typ with a parameter", "at+jwt; charset=utf-8"},
		{"typ with a space", "at+jwt "},
		{"typ prefixed twice", "application/application/at+jwt"},
		{"typ not a string", []string{"at+jwt"}},
	}
	for _, tc := range cases {
		tok := typed(t, iss, tc.typ, authtest.Claims{"sub": "mallory", "nonce": "n"})
		for _, tr := range transports {
			t.Run(tc.name+"/"+tr, func(t *testing.T) {
				t.Parallel()
				assertRefused(t, s.call(t.Context(), tr, bearer(tok)), connect.CodeUnauthenticated)
			})
		}
	}
}

// TestTypeCheckedBeforeKeys: a token of the wrong type is refused with ReasonType
// before any key is fetched, like the other claim checks, so junk cannot make the
// issuer's keys be fetched.
func TestTypeCheckedBeforeKeys(t *testing.T) {
	t.Parallel()
	a, b := setup(t, func(c *auth.Config) { c.Issuers[0].Types = []string{"application/at+jwt"} })
	_, err := a.VerifyToken(context.Background(), typed(t, b.iss, "JWT", nil))
	if auth.ReasonOf(err) != auth.ReasonType {
		t.Fatalf("VerifyToken of an ID token: %v, want reason %q", err, auth.ReasonType)
	}
	if n := b.iss.JWKSFetches() + b.iss.DiscoveryFetches(); n != 0 {
		t.Fatalf("a token of the wrong type caused %d fetches, want 0", n)
	}
	if _, err := a.VerifyToken(context.Background(), typed(t, b.iss, "at+jwt", nil)); err != nil {
		t.Fatalf("VerifyToken of an access token: %v", err)
	}
}

// TestTypesUnsetAcceptsAnyType: without Types, "typ" is not checked, as before.
func TestTypesUnsetAcceptsAnyType(t *testing.T) {
	t.Parallel()
	a, b := setup(t)
	for _, typ := range []any{nil, "JWT", "at+jwt", "whatever"} {
		if _, err := a.VerifyToken(context.Background(), typed(t, b.iss, typ, nil)); err != nil {
			t.Errorf("typ %v: %v", typ, err)
		}
	}
}
