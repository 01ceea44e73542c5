package identity_test

import (
	"context"
	"fmt"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
)

func Example() {
	// The edge puts the verified caller into the request's context...
	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{
		Subject:  "user-42",
		TenantId: "8d5e2a34-6a5c-4f5e-9f0e-2b1f6c0b1a11",
		Scopes:   []string{"adr:write"},
	})

	// ...and code further down reads it back.
	p, _ := identity.PrincipalFrom(ctx)
	tenant, _ := identity.TenantID(ctx)
	fmt.Println(p.GetSubject(), tenant, identity.HasScope(p, "adr:write"))
	// Output: user-42 8d5e2a34-6a5c-4f5e-9f0e-2b1f6c0b1a11 true
}
