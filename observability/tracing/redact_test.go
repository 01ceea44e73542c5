package tracing_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/observability/tracing"
)

type dbError struct{ msg string }

func (e *dbError) Error() string { return e.msg }

// TestRecordErrorRedactsSecrets: an error that is not an internal one reached
// the span as it was, in the exception event and the status: a DSN, a client
// error's URL with ?api_key=, a token as a URL's user name, a bearer token.
// Traces get the redaction logs get.
func TestRecordErrorRedactsSecrets(t *testing.T) {
	const s = "hunter2s3cr3t"
	tests := []struct {
		name     string
		err      error
		wantType string
	}{
		{"DSN", fmt.Errorf("storage: connect postgres://app:%s@db:5432/x: refused", s), "*errors.errorString"},
		{"client URL", &url.Error{Op: "Get", URL: "https://api.example.com/v1?api_key=" + s, Err: errors.New("timeout")}, "*url.Error"},
		{"connect error", connect.NewError(connect.CodeUnavailable, errors.New(`Post "https://`+s+`@mirror.example.com/pkg.S/M": EOF`)), "*connect.Error"},
		{"bearer", &dbError{"upstream rejected Authorization: Bearer " + s}, "*tracing_test.dbError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := recorder(t)
			_, span := tracing.Start(context.Background(), "op", trace.SpanKindInternal)
			tracing.RecordError(span, tc.err)
			span.End()
			sp := rec.Ended()[0]
			var all strings.Builder
			all.WriteString(sp.Status().Description)
			var typ string
			for _, ev := range sp.Events() {
				for _, kv := range ev.Attributes {
					all.WriteString(" " + kv.Value.String())
					if kv.Key == "exception.type" {
						typ = kv.Value.AsString()
					}
				}
			}
			if strings.Contains(all.String(), s) {
				t.Fatalf("the span shows the secret: %s", all.String())
			}
			if sp.Status().Code != codes.Error || !strings.Contains(sp.Status().Description, "[REDACTED]") {
				t.Fatalf("status %v, want Error with the redacted message", sp.Status())
			}
			if len(sp.Events()) != 1 || sp.Events()[0].Name != "exception" || !strings.HasSuffix(typ, strings.TrimLeft(tc.wantType, "*")) {
				t.Fatalf("events %v, want one exception of type %s", sp.Events(), tc.wantType)
			}
		})
	}
}

// TestRecordErrorBoundsTheMessage: an error's text may quote a client's input
// whole (strconv's "parsing \"…\": invalid syntax" of a 1 MiB query value),
// and event attributes and the status have no length limit in the SDK: each
// such span held and exported the whole input, twice.
func TestRecordErrorBoundsTheMessage(t *testing.T) {
	rec := recorder(t)
	_, err := strconv.Atoi(strings.Repeat("é", 1<<19))
	_, span := tracing.Start(context.Background(), "op", trace.SpanKindInternal)
	tracing.RecordError(span, err)
	span.End()
	sp := rec.Ended()[0]
	msgs := []string{sp.Status().Description}
	for _, ev := range sp.Events() {
		for _, kv := range ev.Attributes {
			if kv.Key == "exception.message" {
				msgs = append(msgs, kv.Value.AsString())
			}
		}
	}
	if len(msgs) != 2 {
		t.Fatalf("want a status and an exception message, got %d", len(msgs))
	}
	for _, m := range msgs {
		if len(m) > 8192 || !utf8.ValidString(m) || !strings.HasPrefix(m, "strconv.Atoi: parsing") || !strings.HasSuffix(m, "…") {
			t.Fatalf("message of %d bytes (valid UTF-8: %v): %.60q…", len(m), utf8.ValidString(m), m)
		}
	}
}
