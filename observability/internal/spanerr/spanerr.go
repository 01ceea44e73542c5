// Package spanerr records an error on a span as the SDK's RecordError does (an
// "exception" event with exception.type and exception.message), but with the
// message redacted — as log lines are (logging.Redact), and the query of any
// URL in it as url.full's is (urlquery.RedactText) — and
// bounded: an error's text may carry a DSN, a URL with ?api_key=, ?code= or
// a Connect GET call's request message (connect=v1&…&message=…), a bearer
// token, or a client's input whole, and traces are kept and shown like logs.
package spanerr

import (
	"fmt"
	"reflect"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/observability/internal/urlquery"
	"github.com/footingdev/footing/observability/logging"
)

// MaxMessageLen bounds the messages Record and [Message] return: an error's
// text may quote a client's input whole (strconv's `parsing "…"`), and the SDK
// limits neither event attributes nor the status description.
const MaxMessageLen = 8192

// Message is s as a span may show it: redacted as log lines are
// (logging.Redact), then the query and fragment of any URL in it as
// url.full's are (urlquery.RedactText: ?code=, ?key=, a Connect GET call's
// message=, …, "REDACTED"), then cut to at most MaxMessageLen bytes, at a
// UTF-8 boundary, ending in "…" when cut. logging.Redact goes first: it sees
// "?token=Bearer <token>" whole, where the query rules, which end a query at
// a space, would replace "Bearer" and leave the token after it.
func Message(s string) string {
	s = urlquery.RedactText(logging.Redact(s))
	if len(s) <= MaxMessageLen {
		return s
	}
	const ellipsis = "…"
	cut := MaxMessageLen - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}

// Record adds the exception event of err to span, with attrs, and returns
// the message it recorded: err's text as [Message] makes it. It does
// nothing, and returns "", when err is nil or the span does not record.
func Record(span trace.Span, err error, attrs ...attribute.KeyValue) string {
	if err == nil || !span.IsRecording() {
		return ""
	}
	msg := Message(err.Error())
	kv := make([]attribute.KeyValue, 0, len(attrs)+2)
	kv = append(kv, attrs...)
	kv = append(kv,
		attribute.String("exception.type", typeName(err)),
		attribute.String("exception.message", msg))
	span.AddEvent("exception", trace.WithAttributes(kv...))
	return msg
}

// typeName names err's type as the SDK does ("*url.Error" for a pointer to
// a named type; package path and name otherwise).
func typeName(err error) string {
	t := reflect.TypeOf(err)
	if t.PkgPath() == "" && t.Name() == "" {
		return t.String()
	}
	return fmt.Sprintf("%s.%s", t.PkgPath(), t.Name())
}
