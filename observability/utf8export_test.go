package observability_test

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/observability"
)

// TestInvalidUTF8DoesNotLoseTheBatch: OTLP carries strings as protobuf
// strings, which must be UTF-8, and the exporter refused to marshal a batch
// holding one that is not: a request for "/%FF" (its url.path), an error text
// quoting a client's bytes, lost every span batched with it, silently. Spans
// are exported with such strings made valid (each run of bad bytes becomes U+FFFD).
func TestInvalidUTF8DoesNotLoseTheBatch(t *testing.T) {
	t.Parallel()
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	var logs bytes.Buffer
	tel, err := observability.New(context.Background(), observability.Config{
		Getenv:    envOf(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL, "OTEL_BSP_SCHEDULE_DELAY": "3600000"}),
		LogWriter: &logs,
	})
	if err != nil {
		t.Fatal(err)
	}
	tr := tel.TracerProvider().Tracer("test")
	_, good := tr.Start(context.Background(), "good")
	good.End()
	_, bad := tr.Start(context.Background(), "GET /a\xff", trace.WithLinks(trace.Link{
		SpanContext: good.SpanContext(), Attributes: []attribute.KeyValue{attribute.String("l", "\xfe")}}))
	bad.SetAttributes(attribute.String("url.path", "/a\xff\xfe"), attribute.StringSlice("list", []string{"ok", "\xc3"}),
		attribute.String("k\xff", "v"))
	bad.RecordError(errors.New("parse \"\xff\": invalid"))
	bad.SetStatus(codes.Error, "bad \xff")
	bad.End()
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans, _ := rc.spans()
	if len(spans) != 2 {
		t.Fatalf("receiver got %d spans, want both (logs: %s)", len(spans), logs.String())
	}
	for _, s := range spans {
		if s.GetName() == "good" {
			continue
		}
		if s.GetName() != "GET /a\uFFFD" || !strings.Contains(s.GetStatus().GetMessage(), "\uFFFD") {
			t.Fatalf("span %q status %q", s.GetName(), s.GetStatus().GetMessage())
		}
		got := map[string]string{}
		for _, kv := range s.GetAttributes() {
			got[kv.GetKey()] = kv.GetValue().GetStringValue()
		}
		if got["url.path"] != "/a\uFFFD" || got["k\uFFFD"] != "v" {
			t.Fatalf("attributes %v", got)
		}
		if len(s.GetEvents()) != 1 || len(s.GetLinks()) != 1 {
			t.Fatalf("events %v links %v", s.GetEvents(), s.GetLinks())
		}
	}
}
