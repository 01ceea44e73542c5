package auth_test

import (
	"maps"
	"net/http"
	"testing"

	"connectrpc.com/connect"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	"github.com/footingdev/footing/contracts/gen/go/footing/ai/v1/aiv1connect"
	gatewayv1 "github.com/footingdev/footing/contracts/gen/go/footing/gateway/v1"
	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
)

// scopedPolicy puts every harness transport behind scope "probe:call" and one of the
// roles "admin" or "operator".
func scopedPolicy(t *testing.T) *auth.Policy {
	t.Helper()
	rule := auth.Rule{Mode: auth.ModeAuthorized, Scopes: []string{"probe:call"}, Roles: []string{"admin", "operator"}}
	p, err := auth.NewPolicy(map[string]auth.Rule{
		helloPath: rule,
		aiv1connect.AIGatewayServiceChatProcedure: rule,
		"/footing.test.v1.Probe/*":                rule,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPolicyScopesAndRoles(t *testing.T) {
	t.Parallel()
	a, b := setup(t)
	s := newServer(t, a, scopedPolicy(t))
	cases := []struct {
		name   string
		claims authtest.Claims
		want   connect.Code // 0: allowed
	}{
		{"scope and role", authtest.Claims{"scope": "other probe:call", "roles": []string{"operator"}}, 0},
		{"scopes as array, role as string", authtest.Claims{"scope": []string{"probe:call"}, "roles": "viewer admin"}, 0},
		{"missing scope", authtest.Claims{"scope": "probe:read", "roles": []string{"admin"}}, connect.CodePermissionDenied},
		{"missing role", authtest.Claims{"scope": "probe:call", "roles": []string{"viewer"}}, connect.CodePermissionDenied},
		{"nothing granted", authtest.Claims{}, connect.CodePermissionDenied},
	}
	for _, tc := range cases {
		for _, tr := range transports {
			t.Run(tc.name+"/"+tr, func(t *testing.T) {
				t.Parallel()
				claims := maps.Clone(tc.claims)
				claims["sub"] = "u-" + tr
				r := s.call(t.Context(), tr, bearer(b.iss.Mint(claims)))
				if tc.want == 0 {
					assertAllowed(t, r, "u-"+tr)
					return
				}
				assertRefused(t, r, tc.want)
			})
		}
	}
	for _, tr := range transports {
		assertRefused(t, s.call(t.Context(), tr, http.Header{}), connect.CodeUnauthenticated)
	}
}

// TestPolicyUnlisted: a procedure or path missing from the table is denied, even to a
// verified caller, over the interceptor (unary) and the middleware.
func TestPolicyUnlisted(t *testing.T) {
	t.Parallel()
	a, b := setup(t)
	s := newServer(t, a, harnessPolicy(t, nil))
	h := bearer(b.iss.Mint(authtest.Claims{"roles": []string{"admin"}, "scope": "everything"}))

	req := connect.NewRequest(&aiv1.CompleteRequest{})
	req.Header().Set("Authorization", h.Get("Authorization"))
	_, err := s.ai.Complete(t.Context(), req)
	assertRefused(t, result{err: err}, connect.CodePermissionDenied)

	embed := connect.NewRequest(&aiv1.EmbedRequest{})
	embed.Header().Set("Authorization", h.Get("Authorization"))
	_, err = s.aiGRPC.Embed(t.Context(), embed)
	assertRefused(t, result{err: err}, connect.CodePermissionDenied)

	a2, _ := setup(t)
	mw := a2.Middleware(harnessPolicy(t, nil))(http.NotFoundHandler())
	for _, path := range []string{"/api/other", "/api/hello/../admin", "/"} {
		rec := serve(mw, path, http.Header{})
		if rec.Code != http.StatusForbidden {
			t.Fatalf("%s: status %d, want 403", path, rec.Code)
		}
	}
}

func TestPolicyPublic(t *testing.T) {
	t.Parallel()
	a, b := setup(t)
	policy, err := auth.NewPolicy(map[string]auth.Rule{"/open/*": auth.Public()})
	if err != nil {
		t.Fatal(err)
	}
	var seen string
	mw := a.Middleware(policy)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = "anonymous"
		if p, ok := principalOf(r); ok {
			seen = p
		}
	}))
	for _, tc := range []struct {
		header http.Header
		want   string
	}{
		{http.Header{}, "anonymous"},
		{bearer("garbage"), "anonymous"},
		{bearer(b.iss.Mint(authtest.Claims{"sub": "known"})), "known"},
	} {
		rec := serve(mw, "/open/page", tc.header)
		if rec.Code != http.StatusOK || seen != tc.want {
			t.Fatalf("status %d, principal %q; want 200, %q", rec.Code, seen, tc.want)
		}
	}
}

func TestNewPolicyReportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := auth.NewPolicy(map[string]auth.Rule{
		"no-slash":   auth.Public(),
		"/zero-mode": {},
		"/bad*":      auth.Public(),
		"/ok/*":      auth.Authenticated(),
	})
	if err == nil {
		t.Fatal("NewPolicy accepted invalid rules")
	}
	for _, want := range []string{"no-slash", "/zero-mode", "/bad*"} {
		if !contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}

func TestPolicyLookupPrecedence(t *testing.T) {
	t.Parallel()
	p, err := auth.NewPolicy(map[string]auth.Rule{
		"/svc.v1.S/*":      auth.Authenticated(),
		"/svc.v1.S/Open":   auth.Public(),
		"/":                auth.RequireRoles("root"),
		"/static/*":        auth.Public(),
		"/static/secret/*": auth.RequireScopes("secret"),
	})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]auth.Mode{
		"/svc.v1.S/Open":       auth.ModePublic,
		"/svc.v1.S/Other":      auth.ModeAuthenticated,
		"/":                    auth.ModeAuthorized,
		"/static/app.js":       auth.ModePublic,
		"/static/secret/a.txt": auth.ModeAuthorized,
	} {
		if r, ok := p.Lookup(path); !ok || r.Mode != want {
			t.Errorf("Lookup(%q) = %v, %v; want mode %v", path, r.Mode, ok, want)
		}
	}
	if _, ok := p.Lookup("/elsewhere"); ok {
		t.Error("unlisted path found a rule")
	}
}

func TestRuleFromProto(t *testing.T) {
	t.Parallel()
	r := auth.RuleFromProto(&gatewayv1.AuthPolicy{Mode: gatewayv1.AuthPolicy_MODE_AUTHORIZED, Scopes: []string{"a"}, Roles: []string{"r"}})
	if r.Mode != auth.ModeAuthorized || len(r.Scopes) != 1 || r.Roles[0] != "r" {
		t.Fatalf("RuleFromProto = %+v", r)
	}
	if r := auth.RuleFromProto(&gatewayv1.AuthPolicy{}); r.Mode != 0 {
		t.Fatalf("unspecified mode became %v", r.Mode)
	}
	if _, err := auth.NewPolicy(map[string]auth.Rule{"/x": auth.RuleFromProto(&gatewayv1.AuthPolicy{})}); err == nil {
		t.Fatal("an unspecified proto mode was accepted")
	}
}

// TestPolicyRefusesEmptyScopesAndRoles: a rule naming an empty scope or role (a
// split of an unset variable, RequireRoles(os.Getenv("ADMIN_ROLE"))) is refused when
// the policy is built, as an empty audience is — it would admit exactly the tokens
// whose claims carry an empty string ("roles": [""]), which restricts nothing.
func TestPolicyRefusesEmptyScopesAndRoles(t *testing.T) {
	t.Parallel()
	a, b := setup(t)
	for name, rule := range map[string]auth.Rule{
		"role":  auth.RequireRoles(""),
		"scope": auth.RequireScopes("read", ""),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, err := auth.NewPolicy(map[string]auth.Rule{"/admin/*": rule})
			if err != nil {
				if !contains(err.Error(), "/admin/*") {
					t.Fatalf("error %q does not name the key", err)
				}
				return
			}
			tok := b.iss.Mint(authtest.Claims{"roles": []string{""}, "scope": []string{"read", ""}})
			if _, err := a.Authorize(t.Context(), p, "/admin/x", bearer(tok)); err == nil {
				t.Fatal("NewPolicy accepted the rule, and a token with an empty role and scope passed it")
			}
			t.Fatal("NewPolicy accepted a rule with an empty name")
		})
	}
}
