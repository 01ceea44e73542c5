package jobs

import (
	"context"
	"encoding/json"
	"testing"

	"go.opentelemetry.io/otel/trace"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
)

func TestStampRoundTripKeepsOtherMetadata(t *testing.T) {
	t.Parallel()
	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "s", TenantId: "t1", Roles: []string{"admin"}})
	ctx = identity.WithRequestMetadata(ctx, &commonv1.RequestMetadata{RequestId: "r1"})
	tid, _ := trace.TraceIDFromHex("0af7651916cd43dd8448eb211c80319c")
	sid, _ := trace.SpanIDFromHex("b7ad6b7169203331")
	ctx = trace.ContextWithSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	s, err := stampFrom(ctx)
	if err != nil {
		t.Fatal(err)
	}
	md, err := addStamp([]byte(`{"app":"kept"}`), s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(md, &m); err != nil || string(m["app"]) != `"kept"` {
		t.Fatalf("metadata %s lost the app's key", md)
	}
	got, remote, err := restore(context.Background(), md)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := identity.PrincipalFrom(got)
	if p.GetTenantId() != "t1" || p.GetRoles()[0] != "admin" || identity.RequestID(got) != "r1" {
		t.Fatalf("restored %v / %q", p, identity.RequestID(got))
	}
	if sc := trace.SpanContextFromContext(remote); sc.TraceID() != tid || !sc.IsRemote() {
		t.Fatalf("restored span context %v", sc)
	}
}

// FuzzRestore feeds arbitrary job metadata to the worker side: it never panics, and a
// Principal only appears when the metadata holds one.
func FuzzRestore(f *testing.F) {
	for _, s := range []string{``, `{}`, `null`, `[]`, `{"footing":null}`, `{"footing":{"principal":{"tenantId":"t"}}}`,
		`{"footing":{"principal":"x"}}`, `{"footing":{"trace":{"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}}}`,
		`{"footing":{"request_id":7}}`, `{"footing":`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, md []byte) {
		ctx, _, err := restore(context.Background(), md)
		if _, ok := identity.PrincipalFrom(ctx); ok && err != nil {
			t.Fatalf("principal restored from metadata that failed to parse: %v", err)
		}
	})
}

// TestStampTenantIsCanonical checks the tenant the tenant-scoped calls match on: the
// Principal's tenant in canonical form, and none when the Principal has no valid tenant.
func TestStampTenantIsCanonical(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ tenant, want string }{
		{"8D5E2A34-6A5C-4F5E-9F0E-2B1F6C0B1A11", "8d5e2a34-6a5c-4f5e-9f0e-2b1f6c0b1a11"},
		{"8d5e2a346a5c4f5e9f0e2b1f6c0b1a11", "8d5e2a34-6a5c-4f5e-9f0e-2b1f6c0b1a11"},
		{"acme", ""},
		{"", ""},
	} {
		ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "s", TenantId: tc.tenant})
		s, err := stampFrom(ctx)
		if err != nil || s.Tenant != tc.want {
			t.Fatalf("tenant %q stamped as %q, %v; want %q", tc.tenant, s.Tenant, err, tc.want)
		}
	}
	if s, _ := stampFrom(context.Background()); s.Tenant != "" {
		t.Fatalf("no Principal stamped tenant %q", s.Tenant)
	}
}
