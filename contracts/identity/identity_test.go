package identity_test

import (
	"context"
	"testing"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
)

func TestPrincipalRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if _, ok := identity.PrincipalFrom(ctx); ok {
		t.Fatal("empty context reported a principal")
	}
	if _, ok := identity.TenantID(ctx); ok {
		t.Fatal("empty context reported a tenant")
	}
	p := &commonv1.Principal{Subject: "s1", UserId: "u1", TenantId: "t1", Roles: []string{"admin"}, Scopes: []string{"adr:read"}}
	ctx = identity.WithPrincipal(ctx, p)
	got, ok := identity.PrincipalFrom(ctx)
	if !ok || got != p {
		t.Fatalf("PrincipalFrom = %v, %v; want the stored principal", got, ok)
	}
	if tid, ok := identity.TenantID(ctx); !ok || tid != "t1" {
		t.Fatalf("TenantID = %q, %v", tid, ok)
	}
	if uid, ok := identity.UserID(ctx); !ok || uid != "u1" {
		t.Fatalf("UserID = %q, %v", uid, ok)
	}
	// A nil principal below hides the one above.
	ctx = identity.WithPrincipal(ctx, nil)
	if _, ok := identity.PrincipalFrom(ctx); ok {
		t.Fatal("nil principal did not hide the parent's")
	}
}

func TestTenantlessPrincipal(t *testing.T) {
	t.Parallel()
	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "svc"})
	if _, ok := identity.TenantID(ctx); ok {
		t.Fatal("principal without tenant reported one")
	}
	if _, ok := identity.UserID(ctx); ok {
		t.Fatal("principal without user reported one")
	}
}

func TestScopesAndRoles(t *testing.T) {
	t.Parallel()
	p := &commonv1.Principal{Roles: []string{"viewer"}, Scopes: []string{"a", "b"}}
	tests := []struct {
		name  string
		check func() bool
		want  bool
	}{
		{"has scope", func() bool { return identity.HasScope(p, "b") }, true},
		{"lacks scope", func() bool { return identity.HasScope(p, "c") }, false},
		{"has role", func() bool { return identity.HasRole(p, "viewer") }, true},
		{"lacks role", func() bool { return identity.HasRole(p, "admin") }, false},
		{"nil principal", func() bool { return identity.HasScope(nil, "a") || identity.HasRole(nil, "viewer") }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.check(); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRequestMetadata(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if identity.RequestID(ctx) != "" {
		t.Fatal("empty context has a request id")
	}
	ctx = identity.WithRequestMetadata(ctx, &commonv1.RequestMetadata{RequestId: "req-1", ClientIp: "10.0.0.1"})
	if got := identity.RequestID(ctx); got != "req-1" {
		t.Fatalf("RequestID = %q", got)
	}
	md, ok := identity.RequestMetadataFrom(ctx)
	if !ok || md.GetClientIp() != "10.0.0.1" {
		t.Fatalf("RequestMetadataFrom = %v, %v", md, ok)
	}
}

func TestPrincipalSlot(t *testing.T) {
	t.Parallel()
	outer := identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "outer"})
	var slot identity.PrincipalSlot
	ctx := identity.WithPrincipalSlot(outer, &slot)
	below := context.WithValue(ctx, otherKey{}, 1) // derived before the slot is filled
	if _, ok := identity.PrincipalFrom(below); ok {
		t.Fatal("an empty slot let the parent's principal through")
	}
	if s, ok := identity.PrincipalSlotFrom(below); !ok || s != &slot {
		t.Fatal("PrincipalSlotFrom did not find the slot")
	}
	p := &commonv1.Principal{Subject: "s1", TenantId: "t1", UserId: "u1"}
	if slot.Fill(nil) {
		t.Fatal("Fill(nil) filled the slot")
	}
	if !slot.Fill(p) {
		t.Fatal("Fill of an empty slot failed")
	}
	if slot.Fill(&commonv1.Principal{Subject: "other"}) {
		t.Fatal("a filled slot was filled again")
	}
	for _, c := range []context.Context{ctx, below} {
		if got, ok := identity.PrincipalFrom(c); !ok || got != p {
			t.Fatalf("PrincipalFrom = %v, %v", got, ok)
		}
		if tid, ok := identity.TenantID(c); !ok || tid != "t1" {
			t.Fatalf("TenantID = %q, %v", tid, ok)
		}
	}
	// A principal put in below the slot, or a nil one, decides; the slot is not found.
	hidden := identity.WithPrincipal(below, nil)
	if _, ok := identity.PrincipalFrom(hidden); ok {
		t.Fatal("nil principal did not hide the slot's")
	}
	if _, ok := identity.PrincipalSlotFrom(hidden); ok {
		t.Fatal("PrincipalSlotFrom looked past a principal")
	}
	if _, ok := identity.PrincipalSlotFrom(outer); ok {
		t.Fatal("PrincipalSlotFrom found a slot in a context without one")
	}
}

type otherKey struct{}
