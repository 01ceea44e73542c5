package logging

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/contracts/identity"
)

// WriteRecord writes one record, made of msg and attrs at level and timestamped
// t, exactly as [Handler.Handle] would write it (same bytes), without the cost
// of going through an [slog.Logger]: no call-site lookup, no clock read, no
// record to build and clone. It is what the access-log line of package
// instrument uses, and suits any caller that logs a fixed set of fields many
// times a second.
//
// A JSON handler with neither ReplaceAttr nor AddSource, nothing added by
// WithAttrs or WithGroup, and a line whose attributes are all strings,
// integers, booleans or durations, none of them secret, is encoded directly
// into a pooled buffer and written under the handler's lock. Anything else
// takes the general path through Handle. Records below the handler's level are
// dropped, as [slog.Logger] would.
func (h *Handler) WriteRecord(ctx context.Context, t time.Time, level slog.Level, msg string, attrs ...slog.Attr) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if !h.Enabled(ctx, level) {
		return nil
	}
	if h.fast && fastTime(t) {
		// The message's classes answer its pre-check (mayHoldCredential)
		// and, on the fast path, whether to escape it: one scan for both.
		if mc := scanClasses(msg); mc&classCredential == 0 || !h.red.hasCredentialMarker(msg) {
			if h.bound != nil && (ctx == context.Background() || ctx == context.TODO()) {
				ctx = h.bound
			}
			if ok, err := h.writeFast(ctx, t, level, msg, mc, attrs, nil, h.red); ok {
				return err
			}
		}
	}
	var pc uintptr
	if h.addSource {
		var pcs [1]uintptr
		runtime.Callers(2, pcs[:]) // the caller of WriteRecord
		pc = pcs[0]
	}
	r := slog.NewRecord(t, level, msg, pc)
	r.AddAttrs(attrs...)
	return h.Handle(ctx, r)
}

// fastTime reports whether slog writes t as writeFast does: slog leaves a zero
// time out, and reports an error for years it cannot write in RFC 3339. A
// time in the second, and the location, of the last line written (lastStamp,
// made only for such years) is one; else its year is computed.
func fastTime(t time.Time) bool {
	if t.IsZero() {
		return false
	}
	if st := lastStamp.Load(); st != nil && st.sec == t.Unix() && st.loc == t.Location() {
		return true
	}
	y := t.Year()
	return y >= 0 && y < 10000
}

// Which of the context's ids a record names itself, as bits.
const (
	namesTraceID = 1 << iota
	namesSpanID
	namesRequestID
	namesTenant
	namesUser
)

var fastBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// writeFast encodes the line as slog's JSON handler does, followed by the
// context's ids that the line does not name (see handleClean), and writes it;
// msgClasses are the message's (scanClasses).
// The attributes are attrs, then those of r when r is not nil. It reports false,
// having written nothing, when an attribute is of a kind it does not encode
// or, when check is not nil, when an attribute needs redacting: slog's
// handler must write that line.
func (h *Handler) writeFast(ctx context.Context, t time.Time, level slog.Level, msg string, msgClasses uint8, attrs []slog.Attr, r *slog.Record, check *redactor) (bool, error) {
	bp := fastBufs.Get().(*[]byte)
	b := appendRecordStart((*bp)[:0], t, level, msg, msgClasses)
	named, ok := 0, true
	for _, a := range attrs {
		if b, named, ok = appendAttrJSON(b, a, named, check); !ok {
			break
		}
	}
	if ok && r != nil {
		r.Attrs(func(a slog.Attr) bool {
			b, named, ok = appendAttrJSON(b, a, named, check)
			return ok
		})
	}
	if ok {
		b, ok = h.appendContextJSON(b, ctx, named)
	}
	var err error
	if ok {
		b = append(b, '}', '\n')
		err = h.w.write(b)
	}
	if cap(b) <= 16<<10 { // keep the pool's buffers small, as slog does
		*bp = b
		fastBufs.Put(bp)
	}
	return ok, err
}

// appendRecordStart appends the start of a JSON record: its time, level and
// message, as slog's JSON handler writes them; msgClasses are the message's
// (scanClasses).
func appendRecordStart(b []byte, t time.Time, level slog.Level, msg string, msgClasses uint8) []byte {
	b = append(b, `{"time":"`...)
	b = appendTime(b, t)
	b = append(b, `","level":"`...)
	b = append(b, level.String()...) // letters, digits and a sign ("INFO+2"): nothing to escape
	b = append(b, `","msg":"`...)
	if msgClasses&classEscape == 0 {
		b = append(b, msg...)
	} else {
		b = appendJSONString(b, msg)
	}
	return append(b, '"')
}

// appendAttrJSON appends ,"key":value for an attribute of a simple kind
// (string, integer, boolean, duration), and adds to named the context id the
// key names, if any. It reports false for any other kind and, when check is not
// nil, for an attribute that check would redact or drop.
func appendAttrJSON(b []byte, a slog.Attr, named int, check *redactor) ([]byte, int, bool) {
	v := a.Value
	kind := v.Kind()
	// The access-log keys are plain identifiers: no escaping, and no secret
	// lookup unless the handler's secret keys name one of them
	// (secretLineKey, inlined here so that the switch runs once, and tells
	// the context id the key names too).
	prefix, names := lineKeyJSON(a.Key)
	known := prefix != ""
	// A string short enough is scanned once for both questions: may it hold
	// a credential, must JSON escape it (scanClasses).
	var s string
	var classes uint8
	if kind == slog.KindString {
		s = v.String()
		classes = scanClasses(s)
	}
	if check != nil {
		// A key outside the line's own may hold a credential: keys go through the
		// value rules (redactKey), which only the general path applies.
		if a.Key == "" || ((!known || !check.lineKeysClean) && check.secretKey(a.Key)) ||
			(!known && check.mayHoldCredential(a.Key)) ||
			(classes&classCredential != 0 && check.hasCredentialMarker(s)) {
			return b, named, false
		}
	}
	named |= names
	if known {
		b = append(b, prefix...)
	} else {
		b = append(b, ',', '"')
		b = appendJSONString(b, a.Key)
		b = append(b, '"', ':')
	}
	switch kind {
	case slog.KindString:
		b = append(b, '"')
		if classes&classEscape == 0 {
			b = append(b, s...) // nothing to escape: appendJSONString would copy it as it is
		} else {
			b = appendJSONString(b, s)
		}
		b = append(b, '"')
	case slog.KindInt64:
		b = strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		b = strconv.AppendUint(b, v.Uint64(), 10)
	case slog.KindBool:
		b = strconv.AppendBool(b, v.Bool())
	case slog.KindDuration:
		b = strconv.AppendInt(b, int64(v.Duration()), 10)
	default:
		return b, named, false
	}
	return b, named, true
}

// appendContextJSON appends the ids of addContext, in its order, except those
// named says the record has, and reports false when one of those needs
// redacting (cleanContextID): the line is then not to be written.
func (h *Handler) appendContextJSON(b []byte, ctx context.Context, named int) ([]byte, bool) {
	if named&(namesTraceID|namesSpanID) != namesTraceID|namesSpanID {
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			if !h.red.idKeysClean {
				return b, false
			}
			if named&namesTraceID == 0 {
				b = append(b, `,"`+TraceIDKey+`":"`...)
				b = appendTraceID(b, sc.TraceID())
				b = append(b, '"')
			}
			if named&namesSpanID == 0 {
				b = append(b, `,"`+SpanIDKey+`":"`...)
				b = appendSpanID(b, sc.SpanID())
				b = append(b, '"')
			}
		}
	}
	if named&namesRequestID == 0 {
		if id := identity.RequestID(ctx); id != "" {
			if !h.red.cleanContextID(id) {
				return b, false
			}
			b = appendJSONField(b, RequestIDKey, id)
		}
	}
	if named&(namesTenant|namesUser) != namesTenant|namesUser {
		if p, ok := identity.PrincipalFrom(ctx); ok {
			if v := p.GetTenantId(); v != "" && named&namesTenant == 0 {
				if !h.red.cleanContextID(v) {
					return b, false
				}
				b = appendJSONField(b, TenantKey, v)
			}
			if v := p.GetUserId(); v != "" && named&namesUser == 0 {
				if !h.red.cleanContextID(v) {
					return b, false
				}
				b = appendJSONField(b, UserKey, v)
			}
		}
	}
	return b, true
}

// appendTraceID appends id in lower-case hexadecimal, as
// [trace.TraceID.String] and encoding/hex write it: two digits a byte, from
// a table of the pairs, without the bounds checks and the growing
// hex.AppendEncode does per call.
func appendTraceID(b []byte, id trace.TraceID) []byte {
	var out [2 * len(id)]byte
	for i := range len(id) {
		p := &hexPairs[id[i]]
		out[2*i], out[2*i+1] = p[0], p[1]
	}
	return append(b, out[:]...)
}

// appendSpanID is appendTraceID for a span id.
func appendSpanID(b []byte, id trace.SpanID) []byte {
	var out [2 * len(id)]byte
	for i := range len(id) {
		p := &hexPairs[id[i]]
		out[2*i], out[2*i+1] = p[0], p[1]
	}
	return append(b, out[:]...)
}

// hexPairs holds the two lower-case hexadecimal digits of each byte.
var hexPairs = func() (t [256][2]byte) {
	for c := range 256 {
		t[c] = [2]byte{hexDigits[c>>4], hexDigits[c&0xF]}
	}
	return t
}()

// appendJSONField appends ,"key":"value" for a key that needs no escaping.
func appendJSONField(b []byte, key, value string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':', '"')
	b = appendJSONString(b, value)
	return append(b, '"')
}

// lockedWriter is the writer both slog's handler and the fast path write
// through, so that their lines never interleave: slog's own lock is private.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(b)
}

func (w *lockedWriter) write(b []byte) error {
	_, err := w.Write(b)
	return err
}

// appendJSONString appends s escaped for JSON, without quotes, exactly as
// log/slog's JSON handler does (encoding/json's rules without HTML escaping).
// Copied from log/slog's appendEscapedJSONString, BSD-licensed, Copyright 2022
// The Go Authors.
//
// The leading bytes that pass through unescaped (printable ASCII but for the
// quote and the backslash), which for the keys, routes and ids of a log line
// is usually all of them, are skipped eight at a time (skipJSONSafe8) before
// the byte loop; they are copied with the rest of their run, as before. On
// the access line's strings this takes the escaping from 190–270 ns to about
// 155 ns per line.
func appendJSONString(buf []byte, s string) []byte {
	start := 0
	i := 0
	if len(s) >= 8 {
		i = skipJSONSafe8(s)
	}
	for i < len(s) {
		if b := s[i]; b < utf8.RuneSelf {
			if jsonSafe[b] {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\')
			switch b {
			case '\\', '"':
				buf = append(buf, b)
			case '\n':
				buf = append(buf, 'n')
			case '\r':
				buf = append(buf, 'r')
			case '\t':
				buf = append(buf, 't')
			default:
				// Bytes < 0x20 except \t, \n and \r.
				buf = append(buf, 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		// U+2028 is LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR: valid JSON,
		// but not valid JavaScript; escaped as encoding/json does.
		if c == '\u2028' || c == '\u2029' {
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(buf, s[start:]...)
}

const hexDigits = "0123456789abcdef"

// skipJSONSafe8 returns the length of the longest prefix of s made of whole
// eight-byte words that jsonSafe8 accepts.
func skipJSONSafe8(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if !jsonSafe8(s[i : i+8]) {
			break
		}
	}
	return i
}

// jsonSafe8 reports whether all eight bytes of s (len(s) == 8) are in jsonSafe:
// none is 0x80 or above, below 0x20, a quote or a backslash. The tests are the
// usual exact ones on a word ("Bit Twiddling Hacks": haszero, hasless); the
// compiler loads the eight bytes in one instruction.
func jsonSafe8(s string) bool {
	_ = s[7]
	w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := w ^ ('"' * ones)   // a zero byte where s has a quote
	bs := w ^ ('\\' * ones) // a zero byte where s has a backslash
	nonASCII := w & highs
	control := (w - 0x20*ones) &^ w & highs // exact once no byte is 0x80 or above
	quote := (q - ones) &^ q & highs
	backslash := (bs - ones) &^ bs & highs
	return nonASCII|control|quote|backslash == 0
}

// jsonSafe holds the ASCII bytes that JSON strings carry unescaped: all but
// control characters, the quote and the backslash.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()
