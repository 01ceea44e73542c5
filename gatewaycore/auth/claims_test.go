package auth_test

import (
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	gatewayv1 "github.com/footingdev/footing/contracts/gen/go/footing/gateway/v1"
	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
)

func TestClaimMapping(t *testing.T) {
	t.Parallel()
	a, b := setup(t, func(c *auth.Config) {
		c.Issuers[0].Claims = auth.ClaimNames{Tenant: "org", UserID: "uid", Roles: "realm_access.roles", Scopes: "scp"}
	})
	tok := b.iss.Mint(authtest.Claims{
		"sub":          "subj",
		"uid":          "user-uuid",
		"org":          "tenant-uuid",
		"realm_access": map[string]any{"roles": []string{"owner"}},
		"scp":          []string{"a", "b"},
		"roles":        []string{"ignored"},
	})
	p, err := a.VerifyToken(t.Context(), tok)
	if err != nil {
		t.Fatal(err)
	}
	assertPrincipal(t, p, &commonv1.Principal{
		Subject: "subj", UserId: "user-uuid", TenantId: "tenant-uuid", Roles: []string{"owner"},
		Scopes: []string{"a", "b"}, Issuer: b.iss.URL(), AuthMethod: commonv1.AuthMethod_AUTH_METHOD_OIDC,
	})
	for name, claims := range map[string]authtest.Claims{
		"tenant not a string": {"org": 7},
		"roles not strings":   {"realm_access": map[string]any{"roles": []int{1}}},
		"no subject":          {"sub": nil},
		"too many scopes":     {"scp": make([]string, 200)},
	} {
		if _, err := a.VerifyToken(t.Context(), b.iss.Mint(claims)); auth.ReasonOf(err) != auth.ReasonClaims {
			t.Errorf("%s: err = %v, want reason %q", name, err, auth.ReasonClaims)
		}
	}
}

func TestClockSkew(t *testing.T) {
	t.Parallel()
	a, b := setup(t, func(c *auth.Config) { c.Issuers[0].ClockSkew = 30 * time.Second })
	now := b.clock.Now()
	for _, tc := range []struct {
		name   string
		claims authtest.Claims
		reason auth.Reason
	}{
		{"exp within skew", authtest.Claims{"exp": now.Add(-29 * time.Second).Unix()}, ""},
		{"exp beyond skew", authtest.Claims{"exp": now.Add(-31 * time.Second).Unix()}, auth.ReasonExpired},
		{"nbf within skew", authtest.Claims{"nbf": now.Add(29 * time.Second).Unix()}, ""},
		{"nbf beyond skew", authtest.Claims{"nbf": now.Add(31 * time.Second).Unix()}, auth.ReasonNotYetValid},
		{"iat beyond skew", authtest.Claims{"iat": now.Add(31 * time.Second).Unix()}, auth.ReasonIssuedFuture},
		{"fractional exp", authtest.Claims{"exp": float64(now.Unix()) + 0.5}, ""},
	} {
		_, err := a.VerifyToken(t.Context(), b.iss.Mint(tc.claims))
		if auth.ReasonOf(err) != tc.reason {
			t.Errorf("%s: err = %v, want reason %q", tc.name, err, tc.reason)
		}
	}
}

// TestVerifiedTokenCache: a verified token is never served from the cache past its
// exp, and callers get their own copy of the cached Principal.
func TestVerifiedTokenCache(t *testing.T) {
	t.Parallel()
	a, b := setup(t, func(c *auth.Config) { c.Issuers[0].ClockSkew = -1 })
	tok := b.iss.Mint(authtest.Claims{"exp": b.clock.Now().Add(time.Minute).Unix(), "roles": []string{"r"}})
	p1, err := a.VerifyToken(t.Context(), tok)
	if err != nil {
		t.Fatal(err)
	}
	p1.Roles[0] = "tampered"
	p1.TenantId = "other"
	p2, err := a.VerifyToken(t.Context(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if p2.GetRoles()[0] != "r" || p2.GetTenantId() != "" {
		t.Fatalf("cached principal was changed through a returned copy: %v", p2)
	}
	b.clock.Advance(61 * time.Second)
	if _, err := a.VerifyToken(t.Context(), tok); auth.ReasonOf(err) != auth.ReasonExpired {
		t.Fatalf("after exp: err = %v, want expired", err)
	}
}

func TestConfigValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	err := auth.Config{
		MaxTokenBytes: -1,
		Issuers: []auth.IssuerConfig{
			{Issuer: "not a url", Algorithms: []string{"HS256", "none"}, ClockSkew: time.Hour},
			{Issuer: "https://a.example", JWKSURL: "ftp://x", Audiences: []string{"x"}},
			{Issuer: "https://a.example", Audiences: []string{"x"}},
			{Issuer: "https://b.example", Audiences: []string{"x", ""}},
			{Issuer: "https://c.example", Audiences: []string{"x"}, Types: []string{"at+jwt", " "}},
		},
	}.Validate()
	if err == nil {
		t.Fatal("Validate accepted a broken config")
	}
	for _, want := range []string{"MaxTokenBytes", "not a url", "HS256", "none", "audience", "ClockSkew", "ftp://x", "listed twice", "must not be empty", "type must not be empty"} {
		if !contains(err.Error(), want) {
			t.Errorf("Validate error does not mention %q:\n%v", want, err)
		}
	}
	if err := (auth.Config{}).Validate(); err == nil {
		t.Error("an empty config (nothing can authenticate) was accepted")
	}
	if _, err := auth.New(auth.Config{Issuers: []auth.IssuerConfig{{}}}); err == nil {
		t.Error("New accepted an invalid config")
	}
}

func TestIssuerKeysMustComeOverHTTPS(t *testing.T) {
	t.Parallel()
	for _, ic := range []auth.IssuerConfig{
		{Issuer: "http://id.example.com", Audiences: []string{"x"}},
		{Issuer: "https://id.example.com", JWKSURL: "http://id.example.com/keys", Audiences: []string{"x"}},
	} {
		if err := ic.Validate(); err == nil || !contains(err.Error(), "https") {
			t.Errorf("Validate(%s, %s) = %v, want an error asking for https", ic.Issuer, ic.JWKSURL, err)
		}
		ic.AllowInsecureHTTP = true
		if err := ic.Validate(); err != nil {
			t.Errorf("Validate(%s, %s) with AllowInsecureHTTP = %v", ic.Issuer, ic.JWKSURL, err)
		}
	}
	for _, ic := range []auth.IssuerConfig{
		{Issuer: "http://127.0.0.1:9000", Audiences: []string{"x"}},
		{Issuer: "corp", JWKSURL: "https://id.example.com/keys", Audiences: []string{"x"}},
		{Issuer: "http://id.example.com", JWKSURL: "https://id.example.com/keys", Audiences: []string{"x"}},
	} {
		if err := ic.Validate(); err != nil {
			t.Errorf("Validate(%s, %s) = %v, want nil", ic.Issuer, ic.JWKSURL, err)
		}
		a, err := auth.New(auth.Config{Issuers: []auth.IssuerConfig{ic}})
		if err != nil {
			t.Errorf("New(%s, %s) = %v, want nil", ic.Issuer, ic.JWKSURL, err)
			continue
		}
		a.Close()
	}
}

func TestIssuerFromProto(t *testing.T) {
	t.Parallel()
	ic := auth.IssuerFromProto(&gatewayv1.AuthProvider{
		Name: "corp", Issuer: "https://id.example", Keys: &gatewayv1.AuthProvider_Discovery{Discovery: true},
		Audiences: []string{"api"}, AllowedAlgorithms: []string{"ES256"},
		Claims:    &gatewayv1.ClaimMapping{TenantClaim: "org"},
		ClockSkew: durationpb.New(0), TokenTypes: []string{"at+jwt"},
		Tenants: []string{"acme"},
	})
	if ic.Name != "corp" || ic.JWKSURL != "" || ic.Claims.Tenant != "org" || ic.ClockSkew >= 0 || ic.Algorithms[0] != "ES256" ||
		len(ic.Types) != 1 || ic.Types[0] != "at+jwt" || len(ic.Tenants) != 1 || ic.Tenants[0] != "acme" {
		t.Fatalf("IssuerFromProto = %+v", ic)
	}
	if err := ic.Validate(); err != nil {
		t.Fatal(err)
	}
}
