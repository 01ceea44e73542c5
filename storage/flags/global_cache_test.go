package flags_test

import (
	"testing"

	"github.com/footingdev/footing/storage/cache"
	"github.com/footingdev/footing/storage/flags"
	"github.com/footingdev/footing/storage/pgtest"
)

// A cache handed to WithCache may be a Cache.Global view (an application that keeps
// its shared data there): one tenant's overrides must still never reach another,
// and one tenant's write must invalidate its own entries.
func TestGlobalCacheKeepsTenantsApart(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	a, b := newTenant(t, db), newTenant(t, db)
	c := cache.New(cache.NewMemory(0), cache.Config{})
	t.Cleanup(func() { _ = c.Close() })
	p := flags.New(db.App, flags.WithCache(c.Global()), flags.WithEnv(envMap(nil)))

	if err := p.SetTenantOverride(as(a, "admin"), "beta", true); err != nil {
		t.Fatal(err)
	}
	if err := p.SetUserOverride(as(a, "admin"), "beta", "alice", "a-only"); err != nil {
		t.Fatal(err)
	}
	// Tenant A reads first, filling the cache.
	if d := p.BooleanEvaluation(as(a, "bob"), "beta", false, nil); !d.Value || d.Variant != flags.VariantTenant {
		t.Fatalf("tenant A: %+v, want its tenant override", d)
	}
	if d := p.StringEvaluation(as(a, "alice"), "beta", "", nil); d.Value != "a-only" || d.Variant != flags.VariantUser {
		t.Fatalf("tenant A alice: %+v, want her override", d)
	}
	// Tenant B has no overrides: it gets the default, never A's.
	if d := p.BooleanEvaluation(as(b, "bob"), "beta", false, nil); d.Value || d.Variant != flags.VariantDefault {
		t.Fatalf("tenant B sees tenant A's override: %+v", d)
	}
	if d := p.StringEvaluation(as(b, "alice"), "beta", "def", nil); d.Value != "def" || d.Variant != flags.VariantDefault {
		t.Fatalf("tenant B's alice sees tenant A's alice override: %+v", d)
	}
	// B's write and A's cached entries: each tenant sees its own value at once.
	if err := p.SetTenantOverride(as(b, "admin"), "beta", false); err != nil {
		t.Fatal(err)
	}
	if d := p.BooleanEvaluation(as(b, "bob"), "beta", true, nil); d.Value || d.Variant != flags.VariantTenant {
		t.Fatalf("tenant B after its write: %+v, want its own override", d)
	}
	if d := p.BooleanEvaluation(as(a, "bob"), "beta", false, nil); !d.Value || d.Variant != flags.VariantTenant {
		t.Fatalf("tenant A after B's write: %+v, want its own override", d)
	}
}
