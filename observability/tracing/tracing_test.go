package tracing_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/observability/tracing"
)

// recorder installs a global TracerProvider that records ended spans. Tests that
// use it are not parallel: the provider is process-wide.
func recorder(t *testing.T) *tracetest.SpanRecorder {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() {
		otel.SetTracerProvider(prev)
		_ = tp.Shutdown(context.Background())
	})
	return rec
}

func attrs(s sdktrace.ReadOnlySpan) map[string]string {
	m := map[string]string{}
	for _, kv := range s.Attributes() {
		m[string(kv.Key)] = kv.Value.String()
	}
	return m
}

func TestStartCarriesKindAttributesAndIdentity(t *testing.T) {
	rec := recorder(t)
	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: "acme", UserId: "u1"})
	ctx = identity.WithRequestMetadata(ctx, &commonv1.RequestMetadata{RequestId: "r1"})
	_, span := tracing.Start(ctx, "cache.get", trace.SpanKindClient, attribute.String("footing.cache.tier", "redis"))
	span.End()
	spans := rec.Ended()
	if len(spans) != 1 {
		t.Fatalf("%d spans", len(spans))
	}
	s := spans[0]
	a := attrs(s)
	if s.SpanKind() != trace.SpanKindClient || a["footing.cache.tier"] != "redis" ||
		a["footing.tenant.id"] != "acme" || a["footing.user.id"] != "u1" || a["footing.request.id"] != "r1" {
		t.Fatalf("span %s %v %v", s.Name(), s.SpanKind(), a)
	}
}

func TestRecordError(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantType   string
		wantReason string
		wantID     bool
		wantNot    string
	}{
		{"not found", errs.NotFound("ADR_NOT_FOUND", "no such ADR"), "not_found", "ADR_NOT_FOUND", false, ""},
		{"internal hides cause", errs.Internal(errors.New("pq: password=hunter2 rejected")), "internal", "INTERNAL", true, "hunter2"},
		{"plain error", errors.New("boom"), "unknown", "", false, ""},
		{"wrapped connect", errors.Join(errors.New("ctx"), connect.NewError(connect.CodeUnavailable, errors.New("down"))), "unavailable", "", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := recorder(t)
			_, span := tracing.Start(context.Background(), "op", trace.SpanKindInternal)
			tracing.RecordError(span, tc.err)
			span.End()
			s := rec.Ended()[0]
			if s.Status().Code != codes.Error {
				t.Fatalf("status %v", s.Status())
			}
			a := attrs(s)
			if a["error.type"] != tc.wantType || a["footing.error.reason"] != tc.wantReason || (a["footing.error.id"] != "") != tc.wantID {
				t.Fatalf("attributes %v", a)
			}
			if tc.wantNot != "" {
				var all strings.Builder
				all.WriteString(s.Status().Description)
				for _, ev := range s.Events() {
					for _, kv := range ev.Attributes {
						all.WriteString(kv.Value.String())
					}
				}
				if strings.Contains(all.String(), tc.wantNot) {
					t.Fatalf("the span shows the internal cause: %s", all.String())
				}
			}
		})
	}
}

func TestRecordErrorNilAndNoop(t *testing.T) {
	rec := recorder(t)
	_, span := tracing.Start(context.Background(), "op", trace.SpanKindInternal)
	tracing.RecordError(span, nil)
	span.End()
	if s := rec.Ended()[0]; s.Status().Code != codes.Unset || len(s.Events()) != 0 {
		t.Fatalf("nil error changed the span: %v", s.Status())
	}
	tracing.RecordError(trace.SpanFromContext(context.Background()), errors.New("x")) // must not panic
}

func TestCodeNameAndServerFault(t *testing.T) {
	t.Parallel()
	if tracing.CodeName(nil) != "ok" || tracing.CodeName(errs.NotFound("R", "m")) != "not_found" {
		t.Fatal("CodeName")
	}
	if tracing.ServerFault(connect.CodeNotFound) || !tracing.ServerFault(connect.CodeInternal) {
		t.Fatal("ServerFault")
	}
}

// TestCodeOutsideConnectsIsUnknown: gRPC carries a code as any number
// (grpc-status: 1000) and connect-go keeps it; CodeName gave "code_1000",
// the error.type of the span RecordError marks, so a server called could
// mint a value per number for whatever groups spans by error.type (span
// metrics), and ServerFault said a code whose cause is unknown was the
// caller's. It is "unknown", as the interceptor's metrics say.
func TestCodeOutsideConnectsIsUnknown(t *testing.T) {
	t.Parallel()
	err := connect.NewError(connect.Code(1000), errors.New("from upstream"))
	if got := tracing.CodeName(err); got != "unknown" {
		t.Errorf("CodeName = %q, want unknown", got)
	}
	if !tracing.ServerFault(connect.Code(1000)) {
		t.Error("ServerFault: a code outside Connect's set is not the server's fault")
	}
	if got := tracing.CodeName(connect.NewError(connect.CodeUnauthenticated, nil)); got != "unauthenticated" {
		t.Errorf("CodeName = %q, want unauthenticated", got)
	}
}
