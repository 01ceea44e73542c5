package flags_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/open-feature/go-sdk/openfeature"

	"github.com/footingdev/footing/storage/cache"
	"github.com/footingdev/footing/storage/flags"
	"github.com/footingdev/footing/storage/pgtest"
)

func TestResolutionOrder(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	a, b := newTenant(t, db), newTenant(t, db)
	p := flags.New(db.App, flags.WithEnv(envMap(map[string]string{"FEATURE_NEW_CHECKOUT": "true"})))
	eval := func(ctx context.Context) openfeature.BoolResolutionDetail {
		return p.BooleanEvaluation(ctx, "new-checkout", false, nil)
	}
	check := func(name string, ctx context.Context, want bool, variant string) {
		t.Helper()
		d := eval(ctx)
		if d.Value != want || d.Variant != variant || d.Error() != nil {
			t.Fatalf("%s: got %v variant %q err %v; want %v variant %q", name, d.Value, d.Variant, d.Error(), want, variant)
		}
	}
	check("env default", as(a, "alice"), true, flags.VariantEnv)
	check("no principal", context.Background(), true, flags.VariantEnv)
	if d := p.BooleanEvaluation(as(a, "alice"), "unset-flag", true, nil); !d.Value || d.Variant != flags.VariantDefault {
		t.Fatalf("unset flag: %+v, want the caller's default", d)
	}

	if err := p.SetTenantOverride(as(a, "admin"), "new-checkout", false); err != nil {
		t.Fatal(err)
	}
	check("tenant override beats env", as(a, "alice"), false, flags.VariantTenant)
	check("other tenant keeps env", as(b, "alice"), true, flags.VariantEnv)

	if err := p.SetUserOverride(as(a, "admin"), "new-checkout", "alice", true); err != nil {
		t.Fatal(err)
	}
	check("user override beats tenant", as(a, "alice"), true, flags.VariantUser)
	check("other user gets tenant override", as(a, "bob"), false, flags.VariantTenant)
	check("same user id in another tenant", as(b, "alice"), true, flags.VariantEnv)

	if err := p.DeleteOverride(as(a, "admin"), "new-checkout", ""); err != nil {
		t.Fatal(err)
	}
	check("tenant override removed", as(a, "bob"), true, flags.VariantEnv)
	check("user override kept", as(a, "alice"), true, flags.VariantUser)
}

func TestTypes(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	tenant := newTenant(t, db)
	ctx := as(tenant, "u1")
	p := flags.New(db.App, flags.WithEnv(envMap(map[string]string{
		"FEATURE_LIMIT": "42", "FEATURE_RATIO": "0.25", "FEATURE_THEME": "dark",
		"FEATURE_BROKEN": "maybe", "FEATURE_LAYOUT": `{"cols":3}`,
	})))
	if d := p.IntEvaluation(ctx, "limit", 1, nil); d.Value != 42 {
		t.Errorf("int from env: %+v", d)
	}
	if d := p.FloatEvaluation(ctx, "ratio", 1, nil); d.Value != 0.25 {
		t.Errorf("float from env: %+v", d)
	}
	if d := p.StringEvaluation(ctx, "theme", "light", nil); d.Value != "dark" {
		t.Errorf("string from env: %+v", d)
	}
	if d := p.ObjectEvaluation(ctx, "layout", nil, nil); d.Value.(map[string]any)["cols"] != 3.0 {
		t.Errorf("object from env: %+v", d)
	}
	if d := p.BooleanEvaluation(ctx, "broken", true, nil); !d.Value || d.Error() == nil || d.Reason != openfeature.ErrorReason {
		t.Errorf("unparsable env: %+v, want the default with a parse error", d)
	}

	if err := p.SetTenantOverride(ctx, "limit", 7); err != nil {
		t.Fatal(err)
	}
	if d := p.IntEvaluation(ctx, "limit", 1, nil); d.Value != 7 || d.Variant != flags.VariantTenant {
		t.Errorf("int override: %+v", d)
	}
	if err := p.SetTenantOverride(ctx, "theme", 12); err != nil {
		t.Fatal(err)
	}
	d := p.StringEvaluation(ctx, "theme", "light", nil)
	if d.Value != "light" || d.Error() == nil {
		t.Errorf("number override read as string: %+v, want the default and a type mismatch", d)
	}
	if err := p.SetTenantOverride(ctx, "Bad Key", true); err == nil {
		t.Error("invalid flag key accepted")
	}
}

// TestOpenFeatureClient goes through the OpenFeature SDK, with the Principal in ctx.
func TestOpenFeatureClient(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	tenant := newTenant(t, db)
	p := flags.New(db.App, flags.WithEnv(envMap(nil)))
	domain := "flags-test-" + tenant
	if err := openfeature.SetNamedProviderAndWait(domain, p); err != nil {
		t.Fatal(err)
	}
	client := openfeature.NewClient(domain)
	ctx := as(tenant, "u1")
	if err := p.SetUserOverride(ctx, "beta", "u1", true); err != nil {
		t.Fatal(err)
	}
	on, err := client.BooleanValue(ctx, "beta", false, openfeature.EvaluationContext{})
	if err != nil || !on {
		t.Fatalf("client: %v %v, want true", on, err)
	}
	off, _ := client.BooleanValue(as(tenant, "u2"), "beta", false, openfeature.EvaluationContext{})
	if off {
		t.Fatal("another user got u1's override")
	}
}

// TestCrossInstanceInvalidation: two providers share a Redis cache; an override set
// through one is seen at once by the other.
func TestCrossInstanceInvalidation(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	tenant := newTenant(t, db)
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	newCache := func() *cache.Cache {
		c, err := cache.Open(cache.Config{RedisURL: url, Prefix: "flagstest:" + tenant,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	ca, cb := newCache(), newCache()
	pa := flags.New(db.App, flags.WithCache(ca), flags.WithEnv(envMap(nil)))
	pb := flags.New(db.App, flags.WithCache(cb), flags.WithEnv(envMap(nil)))
	ctx := as(tenant, "u1")
	if d := pb.BooleanEvaluation(ctx, "search-v2", false, nil); d.Value {
		t.Fatal("flag on before any override")
	}
	if err := pa.SetTenantOverride(ctx, "search-v2", true); err != nil {
		t.Fatal(err)
	}
	if d := pb.BooleanEvaluation(ctx, "search-v2", false, nil); !d.Value {
		t.Fatalf("instance B still serves the cached value after A's write: %+v", d)
	}
	// Cleanup of the Redis keys: invalidate the flag's tag.
	_ = ca.InvalidateTags(ctx, "flag:search-v2")
}

// TestTargetingKeyIsNotIdentity: the targeting key comes from the caller, so it must
// not choose whose override applies. A Principal with no user id, naming another user
// as targeting key, gets the tenant override, not that user's.
func TestTargetingKeyIsNotIdentity(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	a := newTenant(t, db)
	p := flags.New(db.App)
	if err := p.SetTenantOverride(as(a, "admin"), "beta", false); err != nil {
		t.Fatal(err)
	}
	if err := p.SetUserOverride(as(a, "admin"), "beta", "alice", true); err != nil {
		t.Fatal(err)
	}
	noUser := as(a, "") // a Principal in tenant a without a user id (a service token)
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want bool
		vari string
	}{
		{"no user, alice as targeting key", noUser, false, flags.VariantTenant},
		{"bob, alice as targeting key", as(a, "bob"), false, flags.VariantTenant},
		{"alice herself", as(a, "alice"), true, flags.VariantUser},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := p.BooleanEvaluation(tc.ctx, "beta", false, openfeature.FlattenedContext{openfeature.TargetingKey: "alice"})
			if d.Value != tc.want || d.Variant != tc.vari || d.Error() != nil {
				t.Fatalf("got %v variant %q err %v; want %v variant %q", d.Value, d.Variant, d.Error(), tc.want, tc.vari)
			}
		})
	}
	// Through an OpenFeature client too, where the targeting key is the usual way in.
	if err := openfeature.SetNamedProviderAndWait("targeting-"+a, p); err != nil {
		t.Fatal(err)
	}
	c := openfeature.NewClient("targeting-" + a)
	d, err := c.BooleanValueDetails(noUser, "beta", false, openfeature.NewEvaluationContext("alice", nil))
	if err != nil || d.Value || d.Variant != flags.VariantTenant {
		t.Fatalf("client: got %v variant %q err %v; want false from the tenant override", d.Value, d.Variant, err)
	}
}
