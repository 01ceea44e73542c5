package logging

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/footingdev/footing/observability/internal/accessline"
)

func init() {
	accessline.Write = func(h any, ctx context.Context, t time.Time, level slog.Level, msg string, l accessline.Line) (bool, error) {
		lh, ok := h.(*Handler)
		if !ok {
			return false, nil
		}
		return lh.writeLine(ctx, t, level, msg, &l)
	}
}

// writeLine is accessline.Write: l encoded field by field into the line
// writeFast would write for l.Attrs, when the fast path takes it; false, and
// nothing written, otherwise. The line's keys need no secret-key check when
// none of them is a secret under the handler's keys (lineKeysClean; else the
// line goes the general way), "hijacked" and the extra attributes get
// appendAttrJSON's, and every string value the credential pre-check.
func (h *Handler) writeLine(ctx context.Context, t time.Time, level slog.Level, msg string, l *accessline.Line) (bool, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if !h.Enabled(ctx, level) {
		return true, nil // as WriteRecord: nothing to write
	}
	if !h.fast || !h.red.lineKeysClean || !fastTime(t) || (msg != accessline.Message && h.red.mayHoldCredential(msg)) {
		return false, nil
	}
	if h.bound != nil && (ctx == context.Background() || ctx == context.TODO()) {
		ctx = h.bound
	}
	bp := fastBufs.Get().(*[]byte)
	b, ok := h.appendLine((*bp)[:0], ctx, t, level, msg, l)
	var err error
	if ok {
		err = h.w.write(b)
	}
	if cap(b) <= 16<<10 { // keep the pool's buffers small, as slog does
		*bp = b
		fastBufs.Put(bp)
	}
	return ok, err
}

// appendLine appends the JSON line of l, as writeFast writes l.Attrs, and
// reports false when a value needs redacting or an extra attribute is of a
// kind writeFast does not encode.
func (h *Handler) appendLine(b []byte, ctx context.Context, t time.Time, level slog.Level, msg string, l *accessline.Line) ([]byte, bool) {
	b = appendRecordStart(b, t, level, msg)
	ok := true
	b, ok = h.appendLineString(b, `,"method":"`, l.Method, ok)
	// A Connect call's route, its procedure, is its path: the same bytes,
	// looked at once.
	routeClasses := scanClasses(l.Route)
	b, ok = h.appendLineClassified(b, `,"route":"`, l.Route, routeClasses, ok)
	if l.Path == l.Route {
		b, ok = h.appendLineClassified(b, `,"path":"`, l.Path, routeClasses, ok)
	} else {
		b, ok = h.appendLineString(b, `,"path":"`, l.Path, ok)
	}
	if !ok {
		return b, false
	}
	if l.Status != 0 {
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(l.Status), 10)
	}
	b = append(b, `,"duration":`...)
	b = strconv.AppendInt(b, int64(l.Duration), 10)
	b = append(b, `,"bytes_in":`...)
	b = strconv.AppendInt(b, l.BytesIn, 10)
	b = append(b, `,"bytes_out":`...)
	b = strconv.AppendInt(b, l.BytesOut, 10)
	named := 0
	if l.Hijacked {
		// Not a line key: the handler's secret keys may name it.
		if b, named, ok = appendAttrJSON(b, slog.Bool("hijacked", true), named, h.red); !ok {
			return b, false
		}
	}
	if l.Code != "" {
		b, ok = h.appendLineString(b, `,"code":"`, l.Code, ok)
	}
	if l.RequestID != "" {
		b, ok = h.appendLineString(b, `,"`+RequestIDKey+`":"`, l.RequestID, ok)
		named |= namesRequestID
	}
	if l.Tenant != "" {
		b, ok = h.appendLineString(b, `,"`+TenantKey+`":"`, l.Tenant, ok)
		named |= namesTenant
	}
	if l.User != "" {
		b, ok = h.appendLineString(b, `,"`+UserKey+`":"`, l.User, ok)
		named |= namesUser
	}
	if !ok {
		return b, false
	}
	for _, a := range l.Extra {
		if b, named, ok = appendAttrJSON(b, a, named, h.red); !ok {
			return b, false
		}
	}
	b = h.appendContextJSON(b, ctx, named)
	return append(b, '}', '\n'), true
}

// appendLineString appends start (`,"key":"`), s escaped and the closing
// quote, when ok is true and s holds nothing to redact; it reports false
// otherwise.
func (h *Handler) appendLineString(b []byte, start, s string, ok bool) ([]byte, bool) {
	if !ok {
		return b, false
	}
	return h.appendLineClassified(b, start, s, scanClasses(s), true)
}

// appendLineClassified is appendLineString for s whose classes
// (scanClasses) are known.
func (h *Handler) appendLineClassified(b []byte, start, s string, classes uint8, ok bool) ([]byte, bool) {
	if !ok {
		return b, false
	}
	if classes&classCredential != 0 && h.red.hasCredentialMarker(s) {
		return b, false
	}
	b = append(b, start...)
	if classes&classEscape == 0 {
		b = append(b, s...)
	} else {
		b = appendJSONString(b, s)
	}
	return append(b, '"'), true
}
