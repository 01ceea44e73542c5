package auth_test

import (
	"context"
	"sync"
	"testing"
	"time"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
)

// clock is an injectable, settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Unix(1_900_000_000, 0)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type bundle struct {
	iss   *authtest.Issuer
	clock *clock
	keys  *auth.MemoryAPIKeyStore
}

// setup starts an issuer and an Authenticator trusting it through discovery.
func setup(t *testing.T, mutate ...func(*auth.Config)) (*auth.Authenticator, *bundle) {
	t.Helper()
	clk := newClock()
	iss := authtest.NewIssuer(authtest.WithClock(clk.Now))
	t.Cleanup(iss.Close)
	ic := iss.Config()
	ic.Algorithms = []string{"RS256", "ES256", "EdDSA"}
	keys := &auth.MemoryAPIKeyStore{}
	cfg := auth.Config{
		Issuers:    []auth.IssuerConfig{ic},
		APIKeys:    keys,
		HTTPClient: iss.Client(),
		Now:        clk.Now,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	a, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a, &bundle{iss: iss, clock: clk, keys: keys}
}

func TestVerifyTokenAlgorithms(t *testing.T) {
	t.Parallel()
	a, b := setup(t)
	for _, alg := range []string{authtest.RS256, authtest.ES256, authtest.EdDSA} {
		t.Run(alg, func(t *testing.T) {
			tok := b.iss.MintWith(alg, authtest.Claims{
				"sub":       "user-7",
				"tenant_id": "tenant-1",
				"roles":     []string{"admin", "viewer"},
				"scope":     "adr:read adr:write",
			})
			p, err := a.VerifyToken(context.Background(), tok)
			if err != nil {
				t.Fatalf("VerifyToken: %v", err)
			}
			want := &commonv1.Principal{
				Subject: "user-7", UserId: "user-7", TenantId: "tenant-1",
				Roles: []string{"admin", "viewer"}, Scopes: []string{"adr:read", "adr:write"},
				Issuer: b.iss.URL(), AuthMethod: commonv1.AuthMethod_AUTH_METHOD_OIDC,
			}
			assertPrincipal(t, p, want)
		})
	}
}

func assertPrincipal(t *testing.T, got, want *commonv1.Principal) {
	t.Helper()
	if got.String() != want.String() {
		t.Fatalf("principal = %v\nwant        %v", got, want)
	}
}

// TestVerifyTokenWithoutKid: "kid" is optional (RFC 7515 §4.1.4). A token without one
// is checked against every key of its issuer that fits its alg — the issuer here
// publishes one key per algorithm, and two RSA keys after a rotation — and a token
// signed by a key the issuer does not publish is still refused.
func TestVerifyTokenWithoutKid(t *testing.T) {
	t.Parallel()
	a, b := setup(t)
	noKid := func(iss *authtest.Issuer, alg, sub string) string {
		t.Helper()
		tok, err := iss.Sign(map[string]any{"alg": alg, "kid": nil}, b.iss.WithDefaults(authtest.Claims{"sub": sub}))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	for _, alg := range []string{authtest.RS256, authtest.ES256, authtest.EdDSA} {
		p, err := a.VerifyToken(t.Context(), noKid(b.iss, alg, "no-kid-"+alg))
		if err != nil {
			t.Fatalf("%s token without kid: %v", alg, err)
		}
		if p.GetSubject() != "no-kid-"+alg {
			t.Fatalf("%s: subject %q", alg, p.GetSubject())
		}
	}

	old := noKid(b.iss, authtest.RS256, "old-key")
	b.iss.Rotate(authtest.RS256)
	b.clock.Advance(31 * time.Second)
	// A token with an unknown kid makes the verifier fetch the set now (and wait for it).
	probe, err := b.iss.Sign(map[string]any{"alg": authtest.RS256, "kid": "probe"}, b.iss.WithDefaults(nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.VerifyToken(t.Context(), probe); err == nil {
		t.Fatal("probe token verified")
	}
	if _, err := a.VerifyToken(t.Context(), old); err != nil {
		t.Fatalf("token without kid from the first of two RSA keys: %v", err)
	}
	if _, err := a.VerifyToken(t.Context(), noKid(b.iss, authtest.RS256, "new-key")); err != nil {
		t.Fatalf("token without kid from the second of two RSA keys: %v", err)
	}

	stranger := authtest.NewIssuer()
	t.Cleanup(stranger.Close)
	forged := noKid(stranger, authtest.ES256, "mallory") // ES256: authtest issuers share their first RSA key
	if _, err := a.VerifyToken(t.Context(), forged); auth.ReasonOf(err) != auth.ReasonSignature {
		t.Fatalf("token without kid from a key the issuer does not publish: %v, want reason %q", err, auth.ReasonSignature)
	}
}
