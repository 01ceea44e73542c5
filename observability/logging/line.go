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
// kind writeFast does not encode. A value that needs redacting does not stop
// the appending: the line is thrown away at the end.
func (h *Handler) appendLine(b []byte, ctx context.Context, t time.Time, level slog.Level, msg string, l *accessline.Line) ([]byte, bool) {
	var msgClasses uint8 // accessline.Message: nothing to escape
	if msg != accessline.Message {
		msgClasses = scanClasses(msg)
	}
	b = appendRecordStart(b, t, level, msg, msgClasses)
	var bad, bad2 bool
	b, bad = h.appendLineString(b, `,"method":"`, l.Method, scanClasses(l.Method))
	// A Connect call's route, its procedure, is its path: the same bytes,
	// looked at once.
	routeClasses := scanClasses(l.Route)
	b, bad2 = h.appendLineString(b, `,"route":"`, l.Route, routeClasses)
	bad = bad || bad2
	pathClasses := routeClasses
	if l.Path != l.Route {
		pathClasses = scanClasses(l.Path)
	}
	b, bad2 = h.appendLineString(b, `,"path":"`, l.Path, pathClasses)
	bad = bad || bad2
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
	var ok bool
	if l.Hijacked {
		// Not a line key: the handler's secret keys may name it.
		if b, named, ok = appendAttrJSON(b, slog.Bool("hijacked", true), named, h.red); !ok {
			return b, false
		}
	}
	if l.Code != "" {
		b, bad2 = h.appendLineString(b, `,"code":"`, l.Code, scanClasses(l.Code))
		bad = bad || bad2
	}
	if l.RequestID != "" {
		b, bad2 = h.appendLineString(b, `,"`+RequestIDKey+`":"`, l.RequestID, scanClasses(l.RequestID))
		bad = bad || bad2
		named |= namesRequestID
	}
	if l.Tenant != "" {
		b, bad2 = h.appendLineString(b, `,"`+TenantKey+`":"`, l.Tenant, scanClasses(l.Tenant))
		bad = bad || bad2
		named |= namesTenant
	}
	if l.User != "" {
		b, bad2 = h.appendLineString(b, `,"`+UserKey+`":"`, l.User, scanClasses(l.User))
		bad = bad || bad2
		named |= namesUser
	}
	if bad {
		return b, false
	}
	for _, a := range l.Extra {
		if b, named, ok = appendAttrJSON(b, a, named, h.red); !ok {
			return b, false
		}
	}
	if b, ok = h.appendContextJSON(b, ctx, named); !ok {
		return b, false
	}
	return append(b, '}', '\n'), true
}

// appendLineString appends start (`,"key":"`), s escaped and the closing
// quote, s's classes (scanClasses) given, and reports whether s holds a
// credential to redact (then the line is not to be written).
func (h *Handler) appendLineString(b []byte, start, s string, classes uint8) ([]byte, bool) {
	bad := classes&classCredential != 0 && h.red.hasCredentialMarker(s)
	b = append(b, start...)
	if classes&classEscape == 0 {
		b = append(b, s...)
	} else {
		b = appendJSONString(b, s)
	}
	return append(b, '"'), bad
}
