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
