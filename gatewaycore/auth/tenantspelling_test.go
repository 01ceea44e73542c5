package auth_test

import (
	"testing"

	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
)

// TestTenantSpellingsAreOnePrincipal: an identity provider may spell a tenant's UUID
// in upper case, or without hyphens, in one token and canonically in another. The
// Principal carries the one canonical spelling, so that everything keyed by tenant
// after auth — rate limits, AI quotas and budgets, logs and metrics — counts the
// tenant once (storage canonicalized for itself; gatewaycore/ratelimit and aigateway
// split the tenant in two). A tenant id that is not a UUID is kept as written. API
// keys are scoped the same way.
func TestTenantSpellingsAreOnePrincipal(t *testing.T) {
	t.Parallel()
	a, b := setup(t)
	const canon = "0f8fad5b-d9cb-469f-a165-70867728950e"
	for _, tc := range []struct{ claim, want string }{
		{canon, canon},
		{"0F8FAD5B-D9CB-469F-A165-70867728950E", canon},
		{"0f8fad5bd9cb469fa16570867728950e", canon},
		{"Acme-Corp", "Acme-Corp"},
	} {
		p, err := a.VerifyToken(t.Context(), b.iss.Mint(authtest.Claims{"tenant_id": tc.claim}))
		if err != nil {
			t.Fatal(err)
		}
		if p.GetTenantId() != tc.want {
			t.Errorf("token tenant %q: Principal tenant %q, want %q", tc.claim, p.GetTenantId(), tc.want)
		}
	}
	presented, stored, err := auth.NewAPIKey("fk_", "0F8FAD5B-D9CB-469F-A165-70867728950E", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.keys.Put(stored)
	p, err := a.VerifyAPIKey(t.Context(), presented)
	if err != nil {
		t.Fatal(err)
	}
	if p.GetTenantId() != canon {
		t.Errorf("API key tenant: Principal tenant %q, want %q", p.GetTenantId(), canon)
	}
}
