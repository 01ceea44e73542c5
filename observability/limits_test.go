package observability_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/footingdev/footing/observability"
)

// TestSpanAttributeValuesAreBounded: a span attribute took a value of any
// length, and a client decides some (url.path, server.address, up to the
// server's 1 MiB of headers): 2048 queued spans could hold 2 GiB, and a batch
// of them was too large to export. Values are cut at 8192 bytes by default,
// or at OTEL_(SPAN_)ATTRIBUTE_VALUE_LENGTH_LIMIT.
func TestSpanAttributeValuesAreBounded(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  map[string]string
		want int
	}{
		{nil, 8192},
		{map[string]string{"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT": "100"}, 100},
		{map[string]string{"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT": "100", "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT": "50"}, 50},
	} {
		rc := &receiver{}
		srv := httptest.NewServer(rc)
		env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL, "OTEL_BSP_SCHEDULE_DELAY": "3600000"}
		for k, v := range tc.env {
			env[k] = v
		}
		var logs bytes.Buffer
		tel, err := observability.New(context.Background(), observability.Config{Getenv: envOf(env), LogWriter: &logs})
		if err != nil {
			t.Fatal(err)
		}
		_, span := tel.TracerProvider().Tracer("test").Start(context.Background(), "GET")
		span.SetAttributes(attribute.String("url.path", "/"+strings.Repeat("a", 1<<20)))
		span.End()
		if err := tel.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		srv.Close()
		spans, _ := rc.spans()
		if len(spans) != 1 {
			t.Fatalf("%v: %d spans exported, want 1", tc.env, len(spans))
		}
		if got := len(spans[0].GetAttributes()[0].GetValue().GetStringValue()); got != tc.want {
			t.Fatalf("%v: url.path of %d bytes, want %d", tc.env, got, tc.want)
		}
	}
	for _, name := range []string{"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT"} {
		err := observability.Config{Getenv: envOf(map[string]string{name: "lots"})}.Validate()
		if err == nil || !strings.Contains(err.Error(), name+":") {
			t.Fatalf("%s=lots: error %v, want one naming the variable", name, err)
		}
	}
}
