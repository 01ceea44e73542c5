package auth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
)

// TestMiddlewareFillsPrincipalSlot: behind a context with an empty principal slot
// (gatewaycore/edge.Metadata puts one there), the middleware fills the slot rather
// than copying the request, so the layers outside it see the caller too; a refused
// credential leaves the slot empty.
func TestMiddlewareFillsPrincipalSlot(t *testing.T) {
	t.Parallel()
	a, b := setup(t)
	policy, err := auth.NewPolicy(map[string]auth.Rule{"/private": auth.Authenticated(), "/public": auth.Public()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, token string
		code              int
		filled            bool
	}{
		{"verified", "/private", b.iss.Mint(authtest.Claims{"sub": "ada", "tenant_id": "t-1"}), http.StatusOK, true},
		{"refused", "/private", "not-a-token", http.StatusUnauthorized, false},
		{"public, bad credential", "/public", "not-a-token", http.StatusOK, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var (
				slot  identity.PrincipalSlot
				inner *http.Request
			)
			h := a.Middleware(policy)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { inner = r }))
			r := httptest.NewRequest(http.MethodGet, tc.path, nil)
			r = r.WithContext(identity.WithPrincipalSlot(r.Context(), &slot))
			r.Header.Set("Authorization", "Bearer "+tc.token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tc.code {
				t.Fatalf("status %d, want %d", rec.Code, tc.code)
			}
			p, ok := identity.PrincipalFrom(r.Context()) // the outer request's context
			if ok != tc.filled {
				t.Fatalf("principal seen outside: %v, want %v", p, tc.filled)
			}
			if tc.filled && (p.GetSubject() != "ada" || p.GetTenantId() != "t-1" || inner != r) {
				t.Fatalf("principal %v; request copied: %v", p, inner != r)
			}
		})
	}
}
