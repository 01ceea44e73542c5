// Package spanerr records an error on a span as the SDK's RecordError does (an
// "exception" event with exception.type and exception.message), but with the
// message redacted as log lines are (logging.Redact): an error's text may
// carry a DSN, a URL with ?api_key= or a bearer token, and traces are kept
// and shown like logs.
package spanerr

import (
	"fmt"
	"reflect"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/observability/logging"
)

// Record adds the exception event of err to span, with attrs, and returns
// the message it recorded: err's text, redacted. It does nothing, and returns
// "", when err is nil or the span does not record.
func Record(span trace.Span, err error, attrs ...attribute.KeyValue) string {
	if err == nil || !span.IsRecording() {
		return ""
	}
	msg := logging.Redact(err.Error())
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
