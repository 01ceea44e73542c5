package observability

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// validUTF8Exporter makes the strings of the spans it exports valid UTF-8
// before the OTLP exporter sees them. OTLP carries them as protobuf strings,
// which must be UTF-8: the exporter refuses to marshal a batch that holds one
// invalid string, and every span in the batch is lost. A client decides some
// of those strings (the path of a request for "/%FF", an error quoting its
// bytes), so one request could drop the traces of all those batched with it.
// Spans that are valid, nearly all, are passed on as they are.
type validUTF8Exporter struct {
	sdktrace.SpanExporter
}

// ExportSpans exports spans, with each invalid string's bad bytes replaced by
// U+FFFD.
func (e validUTF8Exporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	copied := false
	for i, s := range spans {
		if spanValid(s) {
			continue
		}
		if !copied { // the slice is the processor's
			spans, copied = slices.Clone(spans), true
		}
		spans[i] = newValidSpan(s)
	}
	return e.SpanExporter.ExportSpans(ctx, spans)
}

func spanValid(s sdktrace.ReadOnlySpan) bool {
	if !utf8.ValidString(s.Name()) || !utf8.ValidString(s.Status().Description) || !attrsValid(s.Attributes()) {
		return false
	}
	for _, ev := range s.Events() {
		if !utf8.ValidString(ev.Name) || !attrsValid(ev.Attributes) {
			return false
		}
	}
	for _, l := range s.Links() {
		if !attrsValid(l.Attributes) {
			return false
		}
	}
	return true
}

func attrsValid(kvs []attribute.KeyValue) bool {
	for _, kv := range kvs {
		if !utf8.ValidString(string(kv.Key)) {
			return false
		}
		switch kv.Value.Type() {
		case attribute.STRING:
			if !utf8.ValidString(kv.Value.AsString()) {
				return false
			}
		case attribute.STRINGSLICE:
			for _, v := range kv.Value.AsStringSlice() {
				if !utf8.ValidString(v) {
					return false
				}
			}
		}
	}
	return true
}

// validSpan is a span whose strings have been made valid; the rest is the
// original's.
type validSpan struct {
	sdktrace.ReadOnlySpan
	name   string
	status sdktrace.Status
	attrs  []attribute.KeyValue
	events []sdktrace.Event
	links  []sdktrace.Link
}

func newValidSpan(s sdktrace.ReadOnlySpan) validSpan {
	v := validSpan{ReadOnlySpan: s, name: validString(s.Name()), status: s.Status(), attrs: validAttrs(s.Attributes())}
	v.status.Description = validString(v.status.Description)
	for _, ev := range s.Events() {
		ev.Name, ev.Attributes = validString(ev.Name), validAttrs(ev.Attributes)
		v.events = append(v.events, ev)
	}
	for _, l := range s.Links() {
		l.Attributes = validAttrs(l.Attributes)
		v.links = append(v.links, l)
	}
	return v
}

func (s validSpan) Name() string                     { return s.name }
func (s validSpan) Status() sdktrace.Status          { return s.status }
func (s validSpan) Attributes() []attribute.KeyValue { return s.attrs }
func (s validSpan) Events() []sdktrace.Event         { return s.events }
func (s validSpan) Links() []sdktrace.Link           { return s.links }

func validString(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

func validAttrs(kvs []attribute.KeyValue) []attribute.KeyValue {
	out := make([]attribute.KeyValue, len(kvs))
	for i, kv := range kvs {
		kv.Key = attribute.Key(validString(string(kv.Key)))
		switch kv.Value.Type() {
		case attribute.STRING:
			kv.Value = attribute.StringValue(validString(kv.Value.AsString()))
		case attribute.STRINGSLICE:
			vs := kv.Value.AsStringSlice()
			for j := range vs {
				vs[j] = validString(vs[j])
			}
			kv.Value = attribute.StringSliceValue(vs)
		}
		out[i] = kv
	}
	return out
}
