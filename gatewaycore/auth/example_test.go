package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
)

func Example() {
	iss := authtest.NewIssuer()
	defer iss.Close()

	a, err := auth.New(auth.Config{
		Issuers:    []auth.IssuerConfig{iss.Config("adr-service")},
		HTTPClient: iss.Client(),
	})
	if err != nil {
		panic(err)
	}
	defer a.Close()

	policy, err := auth.NewPolicy(map[string]auth.Rule{
		"/healthz":                     auth.Public(),
		"/adr.v1.ADRService/GetADR":    auth.Authenticated(),
		"/adr.v1.ADRService/DeleteADR": auth.RequireRoles("admin"),
		"/adr.v1.ADRService/*":         auth.RequireScopes("adr:write"),
	})
	if err != nil {
		panic(err)
	}

	handler := a.Middleware(policy)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := identity.PrincipalFrom(r.Context())
		fmt.Fprintf(w, "hello %s of %s", p.GetSubject(), p.GetTenantId())
	}))

	token := iss.Mint(authtest.Claims{"aud": "adr-service", "sub": "ada", "tenant_id": "t-1"})
	for _, path := range []string{"/adr.v1.ADRService/GetADR", "/adr.v1.ADRService/DeleteADR", "/admin"} {
		req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			fmt.Println(path, rec.Code)
			continue
		}
		fmt.Println(path, rec.Code, rec.Body.String())
	}
	// Output:
	// /adr.v1.ADRService/GetADR 200 hello ada of t-1
	// /adr.v1.ADRService/DeleteADR 403
	// /admin 403
}

func ExampleNewAPIKey() {
	store := &auth.MemoryAPIKeyStore{}
	presented, stored, err := auth.NewAPIKey("", "tenant-1", []string{"adr:read"}, nil)
	if err != nil {
		panic(err)
	}
	store.Put(stored) // only the hash of the secret is kept

	a, err := auth.New(auth.Config{APIKeys: store})
	if err != nil {
		panic(err)
	}
	defer a.Close()

	h := http.Header{}
	h.Set("X-API-Key", presented)
	p, err := a.Authenticate(context.Background(), h)
	fmt.Println(p.GetTenantId(), p.GetScopes(), p.GetAuthMethod(), err)

	h.Set("X-API-Key", presented+"x")
	_, err = a.Authenticate(context.Background(), h)
	fmt.Println(auth.ReasonOf(err))
	// Output:
	// tenant-1 [adr:read] AUTH_METHOD_API_KEY <nil>
	// api_key
}

// Each tenant brings its own identity provider: binding each issuer to its tenant
// keeps one tenant's provider from signing tokens for another tenant.
func ExampleIssuerConfig_tenants() {
	acmeIdP := authtest.NewIssuer() // acme's own Okta, say
	defer acmeIdP.Close()
	acme := acmeIdP.Config()
	acme.Name = "acme-okta"
	acme.Tenants = []string{"0F8FAD5B-D9CB-469F-A165-70867728950E"} // any spelling of the UUID

	a, err := auth.New(auth.Config{Issuers: []auth.IssuerConfig{acme}, HTTPClient: acmeIdP.Client()})
	if err != nil {
		panic(err)
	}
	defer a.Close()

	for _, tenant := range []any{
		"0f8fad5bd9cb469fa16570867728950e",     // acme, spelled another way
		nil,                                    // no tenant claim: the issuer's one tenant
		"7c9e6679-7425-40de-944b-e07fc1f90ae7", // another tenant
	} {
		p, err := a.VerifyToken(context.Background(), acmeIdP.Mint(authtest.Claims{"tenant_id": tenant}))
		if err != nil {
			fmt.Println("refused:", auth.ReasonOf(err)) // the caller only sees "unauthenticated"
			continue
		}
		fmt.Println("tenant", p.GetTenantId())
	}

	acme.Tenants = []string{"acme", " acme"}
	fmt.Println(acme.Validate())
	// Output:
	// tenant 0f8fad5b-d9cb-469f-a165-70867728950e
	// tenant 0f8fad5b-d9cb-469f-a165-70867728950e
	// refused: tenant
	// auth: issuer "acme-okta": Tenants[1] " acme" is not a tenant id: surrounding space
}
