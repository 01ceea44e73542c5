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
