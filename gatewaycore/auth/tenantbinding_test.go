package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
)

// Two tenants, each an organization that brings its own identity provider.
const (
	tenantA = "0f8fad5b-d9cb-469f-a165-70867728950e"
	tenantB = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
)

// lockedBuffer is a bytes.Buffer safe for the concurrent writes of a server's
// handlers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func assertTenant(t *testing.T, r result, subject, tenant string) {
	t.Helper()
	assertAllowed(t, r, subject)
	if r.tenant != tenant {
		t.Fatalf("handler saw tenant %q, want %q", r.tenant, tenant)
	}
}

// TestIssuerBoundToTenant: an issuer whose IssuerConfig.Tenants names tenant A (in
// another spelling than the canonical one) speaks for A only. Its token claiming
// tenant B — validly signed, for the right audience — is Unauthenticated over plain
// HTTP and every streaming shape, with the one fixed message; the reason, "tenant",
// goes to the log and to no caller, and the log names neither the token nor a tenant.
// Its tokens claiming A in any spelling pass as canonical A.
func TestIssuerBoundToTenant(t *testing.T) {
	t.Parallel()
	logs := &lockedBuffer{}
	a, b := setup(t, func(c *auth.Config) {
		c.Issuers[0].Tenants = []string{"0F8FAD5BD9CB469FA16570867728950E"}
		c.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	s := newServer(t, a, harnessPolicy(t, nil))
	iss := b.iss

	for _, spelling := range []string{tenantA, strings.ToUpper(tenantA), strings.ReplaceAll(tenantA, "-", "")} {
		tok := iss.Mint(authtest.Claims{"sub": "alice", "tenant_id": spelling})
		for _, tr := range transports {
			assertTenant(t, s.call(t.Context(), tr, bearer(tok)), "alice", tenantA)
		}
	}

	var refused []string
	for _, claim := range []any{tenantB, strings.ToUpper(tenantB), "acme", tenantA + " ", "{" + tenantA + "}", "urn:uuid:" + tenantA} {
		tok := iss.Mint(authtest.Claims{"sub": "mallory", "tenant_id": claim})
		refused = append(refused, tok)
		if _, err := a.VerifyToken(t.Context(), tok); auth.ReasonOf(err) != auth.ReasonTenant {
			t.Fatalf("token claiming tenant %q: err = %v, want reason %q", claim, err, auth.ReasonTenant)
		}
		for _, tr := range transports {
			assertRefused(t, s.call(t.Context(), tr, bearer(tok)), connect.CodeUnauthenticated)
		}
	}
	out := logs.String()
	if !strings.Contains(out, "reason=tenant") {
		t.Fatalf("no refusal with reason tenant logged:\n%s", out)
	}
	for _, secret := range append(refused, tenantA, tenantB, "acme", strings.ReplaceAll(tenantA, "-", "")) {
		if strings.Contains(strings.ToLower(out), strings.ToLower(secret)) {
			t.Fatalf("log holds %q:\n%s", secret, out)
		}
	}
}

// TestTenantlessTokenOfSingleTenantIssuer: a token without a tenant claim (absent,
// null or empty) from an issuer bound to exactly one tenant speaks for that tenant —
// the usual case of a tenant's own identity provider, which knows nothing of footing's
// tenant ids. An issuer bound to several tenants cannot say which one: its tenantless
// token is refused rather than let through without a tenant.
func TestTenantlessTokenOfSingleTenantIssuer(t *testing.T) {
	t.Parallel()
	t.Run("one tenant", func(t *testing.T) {
		t.Parallel()
		a, b := setup(t, func(c *auth.Config) { c.Issuers[0].Tenants = []string{strings.ToUpper(tenantA)} })
		s := newServer(t, a, harnessPolicy(t, nil))
		for _, claim := range []any{nil, "", json.RawMessage("null")} {
			tok := b.iss.Mint(authtest.Claims{"sub": "alice", "tenant_id": claim}) // nil: no claim
			for _, tr := range transports {
				assertTenant(t, s.call(t.Context(), tr, bearer(tok)), "alice", tenantA)
			}
		}
	})
	t.Run("two tenants", func(t *testing.T) {
		t.Parallel()
		a, b := setup(t, func(c *auth.Config) { c.Issuers[0].Tenants = []string{tenantA, "acme"} })
		s := newServer(t, a, harnessPolicy(t, nil))
		tok := b.iss.Mint(authtest.Claims{"sub": "alice"})
		if _, err := a.VerifyToken(t.Context(), tok); auth.ReasonOf(err) != auth.ReasonTenant {
			t.Fatalf("tenantless token of a two-tenant issuer: err = %v, want reason %q", err, auth.ReasonTenant)
		}
		for _, tr := range transports {
			assertRefused(t, s.call(t.Context(), tr, bearer(tok)), connect.CodeUnauthenticated)
		}
		for _, tenant := range []string{tenantA, "acme"} {
			tok := b.iss.Mint(authtest.Claims{"sub": "alice", "tenant_id": tenant})
			for _, tr := range transports {
				assertTenant(t, s.call(t.Context(), tr, bearer(tok)), "alice", tenant)
			}
		}
	})
}

// TestTwoIssuersEachBoundToItsTenant: tenant A's identity provider and tenant B's,
// each bound to its own tenant, behind one Authenticator. Each speaks for its own
// tenant and neither for the other's, on every transport; an unbound issuer next to
// them still speaks for any tenant (and for none), as before.
func TestTwoIssuersEachBoundToItsTenant(t *testing.T) {
	t.Parallel()
	var b *bundle
	now := func() time.Time { return b.clock.Now() }
	issB := authtest.NewIssuer(authtest.WithClock(now))
	t.Cleanup(issB.Close)
	open := authtest.NewIssuer(authtest.WithClock(now))
	t.Cleanup(open.Close)
	a, b := setup(t, func(c *auth.Config) {
		c.Issuers[0].Name = "acme-idp"
		c.Issuers[0].Tenants = []string{tenantA}
		bc := issB.Config()
		bc.Name = "globex-idp"
		bc.Tenants = []string{strings.ReplaceAll(tenantB, "-", "")}
		oc := open.Config()
		oc.Name = "platform-idp"
		c.Issuers = append(c.Issuers, bc, oc)
	})
	issA := b.iss
	s := newServer(t, a, harnessPolicy(t, nil))

	for _, tc := range []struct {
		name   string
		iss    *authtest.Issuer
		claims authtest.Claims
		tenant string // "" means refused
	}{
		{"A's issuer for A", issA, authtest.Claims{"tenant_id": tenantA}, tenantA},
		{"A's issuer, no claim", issA, nil, tenantA},
		{"A's issuer for B", issA, authtest.Claims{"tenant_id": tenantB}, ""},
		{"B's issuer for B", issB, authtest.Claims{"tenant_id": strings.ToUpper(tenantB)}, tenantB},
		{"B's issuer, no claim", issB, nil, tenantB},
		{"B's issuer for A", issB, authtest.Claims{"tenant_id": tenantA}, ""},
		{"unbound issuer for A", open, authtest.Claims{"tenant_id": tenantA}, tenantA},
		{"unbound issuer for B", open, authtest.Claims{"tenant_id": tenantB}, tenantB},
	} {
		claims := authtest.Claims{"sub": "user"}
		for k, v := range tc.claims {
			claims[k] = v
		}
		tok := tc.iss.Mint(claims)
		for _, tr := range transports {
			t.Run(tc.name+"/"+tr, func(t *testing.T) {
				t.Parallel()
				r := s.call(t.Context(), tr, bearer(tok))
				if tc.tenant == "" {
					assertRefused(t, r, connect.CodeUnauthenticated)
					return
				}
				assertTenant(t, r, "user", tc.tenant)
			})
		}
	}
	p, err := a.VerifyToken(t.Context(), open.Mint(nil))
	if err != nil || p.GetTenantId() != "" {
		t.Fatalf("tenantless token of the unbound issuer: tenant %q, err %v; want no tenant", p.GetTenantId(), err)
	}
}

// TestCachedTokenCannotBypassTenantBinding: a refused token is refused again on every
// presentation (refusals are not cached), a token accepted once is served from the
// cache with the tenant the binding gave it, and changing the caller's Tenants slice
// after New changes nothing: the binding is copied, in canonical form, when the
// Authenticator is made.
func TestCachedTokenCannotBypassTenantBinding(t *testing.T) {
	t.Parallel()
	tenants := []string{tenantA}
	a, b := setup(t, func(c *auth.Config) { c.Issuers[0].Tenants = tenants })
	s := newServer(t, a, harnessPolicy(t, nil))

	forB := b.iss.Mint(authtest.Claims{"sub": "mallory", "tenant_id": tenantB})
	noClaim := b.iss.Mint(authtest.Claims{"sub": "alice"})
	for range 3 {
		for _, tr := range transports {
			assertRefused(t, s.call(t.Context(), tr, bearer(forB)), connect.CodeUnauthenticated)
			assertTenant(t, s.call(t.Context(), tr, bearer(noClaim)), "alice", tenantA)
		}
	}
	fetches := b.iss.JWKSFetches()

	tenants[0] = tenantB // the caller's slice, changed after New
	for _, tr := range transports {
		assertRefused(t, s.call(t.Context(), tr, bearer(forB)), connect.CodeUnauthenticated)
		assertTenant(t, s.call(t.Context(), tr, bearer(noClaim)), "alice", tenantA)
	}
	if _, err := a.VerifyToken(context.Background(), forB); auth.ReasonOf(err) != auth.ReasonTenant {
		t.Fatalf("token claiming B after the caller's slice changed: %v, want reason %q", err, auth.ReasonTenant)
	}
	if got := b.iss.JWKSFetches(); got != fetches {
		t.Fatalf("JWKS fetches went from %d to %d", fetches, got)
	}
}

// TestTenantBindingConfigErrors: an entry of IssuerConfig.Tenants that is not a
// tenant id, or names a tenant another entry names (after canonicalization), is a
// config error naming the issuer — by Name, or by Issuer when it has none — and the
// entry's position; every problem is reported at once, and New refuses the config.
func TestTenantBindingConfigErrors(t *testing.T) {
	t.Parallel()
	base := auth.IssuerConfig{Name: "acme-idp", Issuer: "https://id.acme.example", Audiences: []string{"api"}}
	for _, tc := range []struct {
		name    string
		unnamed bool
		tenants []string
		want    []string // substrings of the error; nil means valid
	}{
		{name: "valid", tenants: []string{tenantA, "acme", "ACME", strings.ReplaceAll(tenantB, "-", "")}},
		{name: "empty entry", tenants: []string{tenantA, ""}, want: []string{`issuer "acme-idp"`, `Tenants[1] ""`, "empty"}},
		{name: "surrounding space", tenants: []string{" acme"}, want: []string{`issuer "acme-idp"`, `Tenants[0] " acme"`, "space"}},
		{name: "trailing newline", tenants: []string{"acme\n"}, want: []string{`Tenants[0] "acme\n"`}},
		{name: "control character", tenants: []string{"ac\x00me"}, want: []string{`Tenants[0] "ac\x00me"`, "control"}},
		{name: "not UTF-8", tenants: []string{"caf\xe9"}, want: []string{`Tenants[0] "caf\xe9"`, "UTF-8"}},
		{name: "too long", tenants: []string{strings.Repeat("a", 65)}, want: []string{"Tenants[0]", "64"}},
		{name: "listed twice", tenants: []string{"acme", "acme"}, want: []string{`issuer "acme-idp"`, `Tenants[1] "acme"`, "Tenants[0]"}},
		{name: "one UUID in two spellings", tenants: []string{tenantA, strings.ToUpper(tenantA)},
			want: []string{`Tenants[1] "` + strings.ToUpper(tenantA) + `"`, tenantA, "Tenants[0]"}},
		{name: "hyphenated and bare", tenants: []string{strings.ReplaceAll(tenantB, "-", ""), tenantB},
			want: []string{`Tenants[1] "` + tenantB + `"`, "Tenants[0]"}},
		{name: "every problem at once", tenants: []string{"", "acme", "acme", " x"},
			want: []string{"Tenants[0]", "Tenants[2]", "Tenants[3]"}},
		{name: "unnamed issuer", unnamed: true, tenants: []string{""}, want: []string{`issuer "https://id.acme.example"`, "Tenants[0]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ic := base
			if tc.unnamed {
				ic.Name = ""
			}
			ic.Tenants = tc.tenants
			err := ic.Validate()
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate accepted the config")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			_, err = auth.New(auth.Config{Issuers: []auth.IssuerConfig{ic}})
			if err == nil || !strings.Contains(err.Error(), "Config.Issuers[0]") || !strings.Contains(err.Error(), tc.want[0]) {
				t.Fatalf("New: %v, want the same problem under Config.Issuers[0]", err)
			}
		})
	}
}
