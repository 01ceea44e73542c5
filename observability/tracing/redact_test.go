package tracing_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

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

// refusingTransport fails every request, as a client whose server is down,
// behind a retrying RoundTripper that names the URL in its error (connect-go
// takes off the *url.Error net/http wraps it in, but not this).
type refusingTransport struct{}

func (refusingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("gave up after 3 attempts at %s: %w", r.URL, errors.New("connection refused"))
}

// TestRecordErrorRedactsURLQueries: a client's error names the URL it
// called, query included — a Connect GET call's the request message
// (connect=v1&…&message=…), an OAuth callback's ?code=, a Google API's ?key=
// — and RecordError redacted it as a log line is, which knows none of them:
// the query in an error's text now gets the redaction url.full gets.
func TestRecordErrorRedactsURLQueries(t *testing.T) {
	const s = "hunter2s3cr3t"
	connectGET := func(opts ...connect.ClientOption) error {
		opts = append(opts, connect.WithHTTPGet(), connect.WithIdempotency(connect.IdempotencyNoSideEffects))
		client := connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](
			&http.Client{Transport: refusingTransport{}}, "https://api.example.com/pkg.v1.Vault/Get", opts...)
		_, err := client.CallUnary(context.Background(), connect.NewRequest(wrapperspb.String("card "+s)))
		return err
	}
	msg, _ := proto.Marshal(wrapperspb.String("card " + s))
	tests := []struct {
		name    string
		err     error
		secrets []string
		want    string
	}{
		{"connect GET, JSON", connectGET(connect.WithProtoJSON()), []string{s}, "message=REDACTED"},
		{"connect GET, proto", connectGET(), []string{base64.RawURLEncoding.EncodeToString(msg)}, "message=REDACTED"},
		{"oauth code and API key", &url.Error{Op: "Get", URL: "https://api.example.com/oauth/cb?code=" + s + "&state=xyz&key=k3y" + s, Err: errors.New("EOF")},
			[]string{s}, "/oauth/cb?code=REDACTED&state=xyz&key=REDACTED"},
		{"a secret key's bearer credential", &url.Error{Op: "Get", URL: "https://api.example.com/x?token=Bearer " + s + "&code=Bearer " + s, Err: errors.New("EOF")},
			[]string{s}, "?token="},
		{"wrapped, in a fragment", fmt.Errorf("redirect to https://app.example.com/cb#ticket=%s&state=xyz: %w", s, errors.New("refused")),
			[]string{s}, "#ticket=REDACTED&state=xyz"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("want an error")
			}
			for _, sec := range tc.secrets {
				if !strings.Contains(tc.err.Error(), sec) {
					t.Fatalf("the error %q does not hold %q: the test tests nothing", tc.err, sec)
				}
			}
			rec := recorder(t)
			_, span := tracing.Start(context.Background(), "op", trace.SpanKindClient)
			tracing.RecordError(span, tc.err)
			span.End()
			sp := rec.Ended()[0]
			texts := []string{sp.Status().Description}
			for _, ev := range sp.Events() {
				for _, kv := range ev.Attributes {
					texts = append(texts, kv.Value.String())
				}
			}
			all := strings.Join(texts, " | ")
			for _, sec := range tc.secrets {
				if strings.Contains(all, sec) {
					t.Fatalf("the span shows %q: %s", sec, all)
				}
			}
			if !strings.Contains(all, tc.want) {
				t.Fatalf("the span's error %s: want %q in it", all, tc.want)
			}
		})
	}
}
