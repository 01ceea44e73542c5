package validation_test

import (
	"strings"
	"testing"

	"buf.build/go/protovalidate"

	gatewayv1 "github.com/footingdev/footing/contracts/gen/go/footing/gateway/v1"
)

// TestAuthProviderTenantsRules: an issuer's tenant binding lists distinct,
// non-empty tenant ids of at most 64 bytes.
func TestAuthProviderTenantsRules(t *testing.T) {
	t.Parallel()
	base := func(tenants ...string) *gatewayv1.AuthProvider {
		return &gatewayv1.AuthProvider{
			Name: "acme-idp", Issuer: "https://idp.acme.example",
			Keys:      &gatewayv1.AuthProvider_Discovery{Discovery: true},
			Audiences: []string{"api"}, Tenants: tenants,
		}
	}
	tests := []struct {
		name    string
		msg     *gatewayv1.AuthProvider
		wantErr bool
	}{
		{"no binding", base(), false},
		{"one tenant", base("acme"), false},
		{"two tenants", base("acme", "acme-eu"), false},
		{"empty id", base(""), true},
		{"repeated id", base("acme", "acme"), true},
		{"65 bytes", base(strings.Repeat("t", 65)), true},
		{"64 bytes", base(strings.Repeat("t", 64)), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := protovalidate.Validate(tc.msg)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Validate = %v, want error: %v", err, tc.wantErr)
			}
		})
	}
}
