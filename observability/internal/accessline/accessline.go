// Package accessline carries the access-log line of an HTTP request from
// package instrument to package logging's handler as typed fields, so that
// the handler encodes it directly: no slog.Attr to build per field, and no
// key, kind and value dispatch per field to read them back (about a quarter
// of the line's cost). The line written is the one [Line.Attrs] describes,
// byte for byte, with the same redaction.
package accessline

import (
	"context"
	"log/slog"
	"time"
)

// Line is the access-log line of an HTTP request, as instrument.Middleware
// writes it.
type Line struct {
	Method, Route, Path string
	Status              int // 0: unknown, left out
	Duration            time.Duration
	BytesIn, BytesOut   int64
	Hijacked            bool
	// Code, RequestID, Tenant and User are left out when empty.
	Code, RequestID, Tenant, User string
	// Extra are the attributes added with instrument.Annotate, last.
	Extra []slog.Attr
}

// Attrs appends the line's attributes to dst, in the order of the line.
func (l *Line) Attrs(dst []slog.Attr) []slog.Attr {
	dst = append(dst,
		slog.String("method", l.Method),
		slog.String("route", l.Route),
		slog.String("path", l.Path),
	)
	if l.Status != 0 {
		dst = append(dst, slog.Int("status", l.Status))
	}
	dst = append(dst,
		slog.Duration("duration", l.Duration),
		slog.Int64("bytes_in", l.BytesIn),
		slog.Int64("bytes_out", l.BytesOut),
	)
	if l.Hijacked {
		dst = append(dst, slog.Bool("hijacked", true))
	}
	if l.Code != "" {
		dst = append(dst, slog.String("code", l.Code))
	}
	if l.RequestID != "" {
		dst = append(dst, slog.String("request_id", l.RequestID))
	}
	if l.Tenant != "" {
		dst = append(dst, slog.String("tenant", l.Tenant))
	}
	if l.User != "" {
		dst = append(dst, slog.String("user", l.User))
	}
	return append(dst, l.Extra...)
}

// Message is the message of the line. It holds no credential marker under
// any handler's keys (no '=', ':', 'J', 'b' or 'B'), so the handler need not
// look for one.
const Message = "http request"

// Write writes l through h, a *logging.Handler, exactly as
// h.WriteRecord(ctx, t, level, msg, l.Attrs(nil)...) would, when the
// handler's fast path can; it reports false, having written nothing, when it
// cannot (a line to redact, a handler with options the fast path does not
// take): the caller then writes l.Attrs through WriteRecord. Package logging
// sets it; nil until then. The line is passed by value: a pointer passed
// through a function variable would move the caller's line to the heap.
var Write func(h any, ctx context.Context, t time.Time, level slog.Level, msg string, l Line) (bool, error)
