package identity_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
)

// TestNilSlotIsAnEmptySlot: a nil *PrincipalSlot in a context (an edge that failed to
// make one) hides the parent's principal like an empty slot, and reading or filling
// it does not panic.
func TestNilSlotIsAnEmptySlot(t *testing.T) {
	t.Parallel()
	outer := identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "outer", TenantId: "t0"})
	ctx := identity.WithPrincipalSlot(outer, nil)
	if p, ok := identity.PrincipalFrom(ctx); ok || p != nil {
		t.Fatalf("PrincipalFrom = %v, %v; want none", p, ok)
	}
	if _, ok := identity.TenantID(ctx); ok {
		t.Fatal("a nil slot let the parent's tenant through")
	}
	if _, ok := identity.PrincipalSlotFrom(ctx); ok {
		t.Fatal("PrincipalSlotFrom reported a nil slot")
	}
	var nilSlot *identity.PrincipalSlot
	if nilSlot.Fill(&commonv1.Principal{Subject: "s"}) {
		t.Fatal("a nil slot was filled")
	}
}

// TestSlotIsFilledOnceUnderRace: of many concurrent fills exactly one wins, and every
// reader sees the winner, never a later caller's principal.
func TestSlotIsFilledOnceUnderRace(t *testing.T) {
	t.Parallel()
	var slot identity.PrincipalSlot
	ctx := identity.WithPrincipalSlot(context.Background(), &slot)
	var (
		wins   atomic.Int64
		winner atomic.Pointer[commonv1.Principal]
		wg     sync.WaitGroup
	)
	for i := range 64 {
		wg.Go(func() {
			p := &commonv1.Principal{Subject: "s", TenantId: string(rune('a' + i%26))}
			if slot.Fill(p) {
				wins.Add(1)
				winner.Store(p)
			}
			_, _ = identity.TenantID(ctx)
		})
	}
	wg.Wait()
	if got, ok := identity.PrincipalFrom(ctx); wins.Load() != 1 || !ok || got != winner.Load() {
		t.Fatalf("wins = %d, principal = %v (winner %v)", wins.Load(), got, winner.Load())
	}
}

// TestEmptyPrincipalNamesNoTenantOrUser: a zero Principal gives no tenant and no
// user, so that row-level security and quotas never run for tenant "".
func TestEmptyPrincipalNamesNoTenantOrUser(t *testing.T) {
	t.Parallel()
	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{})
	if _, ok := identity.TenantID(ctx); ok {
		t.Fatal("empty principal reported a tenant")
	}
	if _, ok := identity.UserID(ctx); ok {
		t.Fatal("empty principal reported a user")
	}
	if identity.HasScope(nil, "") || identity.HasRole(nil, "") || identity.HasScope(&commonv1.Principal{}, "") {
		t.Fatal("a principal without scopes has the empty scope")
	}
}
