package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/trace"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/observability/logging"
)

// accessLine is the line instrument.Middleware writes, with route, request id
// and tenant as given.
func accessLine(route, requestID, tenant string) []slog.Attr {
	return []slog.Attr{
		slog.String("method", "POST"),
		slog.String("route", route),
		slog.String("path", route),
		slog.Int("status", 200),
		slog.Duration("duration", 1234567*time.Nanosecond),
		slog.Int64("bytes_in", 5),
		slog.Int64("bytes_out", 2048),
		slog.String("code", "ok"),
		slog.String("request_id", requestID),
		slog.String("tenant", tenant),
		slog.String("user", "u-1"),
	}
}

// bothWays writes the same record through WriteRecord, and through Handle
// with the fast path off (slog's own JSON or text handler writes it), each on
// its own handler made by mk, and returns the two outputs.
func bothWays(t testing.TB, mk func(*bytes.Buffer) slog.Handler, ctx context.Context, ts time.Time, level slog.Level, msg string, attrs []slog.Attr) (fast, slow string) {
	t.Helper()
	var fb, sb bytes.Buffer
	fh, ok := mk(&fb).(*logging.Handler)
	if !ok {
		t.Fatal("not a *logging.Handler")
	}
	if err := fh.WriteRecord(ctx, ts, level, msg, attrs...); err != nil {
		t.Fatal(err)
	}
	sh := logging.SlowForTest(mk(&sb))
	if sh.Enabled(ctx, level) {
		r := slog.NewRecord(ts, level, msg, 0)
		r.AddAttrs(attrs...)
		if err := sh.Handle(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	return fb.String(), sb.String()
}

func TestWriteRecordMatchesHandle(t *testing.T) {
	t.Parallel()
	ts := time.Date(2026, 11, 22, 9, 30, 1, 123456789, time.UTC)
	ids := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: "acme", UserId: "u-1"})
	ids = identity.WithRequestMetadata(ids, &commonv1.RequestMetadata{RequestId: "req-1"})
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		SpanID:  trace.SpanID{0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 1, 2}, TraceFlags: trace.FlagsSampled,
	})
	withSpan := trace.ContextWithSpanContext(ids, sc)

	jsonH := func(b *bytes.Buffer) slog.Handler { return logging.NewHandler(b, nil) }
	for _, tc := range []struct {
		name  string
		mk    func(*bytes.Buffer) slog.Handler
		ctx   context.Context
		ts    time.Time
		level slog.Level
		msg   string
		attrs []slog.Attr
	}{
		{name: "access line", mk: jsonH, ctx: withSpan, attrs: accessLine("/pkg.Svc/Method", "req-1", "acme")},
		{name: "no context ids", mk: jsonH, ctx: context.Background(), attrs: accessLine("/r", "r", "t")},
		{name: "ids from context only", mk: jsonH, ctx: withSpan, attrs: accessLine("/r", "r", "t")[:8]},
		{name: "record names the trace id", mk: jsonH, ctx: withSpan, attrs: []slog.Attr{slog.String("trace_id", "mine"), slog.String("user", "me")}},
		{name: "no attributes", mk: jsonH, ctx: ids},
		{name: "escaping", mk: jsonH, ctx: ids, msg: "a \"quoted\"\n\tline\u2028 <b>&</b> \x01 \xff é",
			attrs: accessLine("/a\"b\\c\nd\u2029\x7f<>&", "id\x00\x1f\xc3", "t\u00e9n\U0001F600ant")},
		{name: "escaped key", mk: jsonH, ctx: ids, attrs: []slog.Attr{slog.Int("we\"ird\nkey", 1)}},
		{name: "all simple kinds", mk: jsonH, ctx: ids, attrs: []slog.Attr{
			slog.Bool("b", true), slog.Uint64("u", 1<<63), slog.Int64("i", -7), slog.Duration("d", -time.Second)}},
		{name: "level error", mk: jsonH, ctx: ids, level: slog.LevelError, attrs: accessLine("/r", "r", "t")},
		{name: "level custom", mk: jsonH, ctx: ids, level: slog.LevelWarn + 2},
		{name: "below level", mk: jsonH, ctx: ids, level: slog.LevelDebug, attrs: accessLine("/r", "r", "t")},
		{name: "local time zone", mk: jsonH, ctx: ids, ts: ts.In(time.FixedZone("x", -(3*3600 + 30*60)))},
		{name: "whole seconds", mk: jsonH, ctx: ids, ts: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		// The rest take the general path; the result must be the same.
		{name: "bearer in a value", mk: jsonH, ctx: ids, attrs: accessLine("/r?access=Bearer abcdefghijk", "r", "t")},
		{name: "JWT in the message", mk: jsonH, ctx: ids, msg: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"},
		{name: "keyless token in the route", mk: jsonH, ctx: ids, attrs: accessLine("/v1/keys/sk-proj-abcdefghijklmnopqrstuv", "r", "t")},
		{name: "AWS key id as the request id", mk: jsonH, ctx: ids, attrs: accessLine("/r", "AKIAIOSFODNN7EXAMPLE", "t")},
		{name: "keyless token in the message", mk: jsonH, ctx: ids, msg: "upstream said: invalid key ghp_abcdefghijklmnopqrstuvwxyz0123456789"},
		{name: "keyless token in the context", mk: jsonH, ctx: identity.WithRequestMetadata(ids, &commonv1.RequestMetadata{RequestId: "xoxb-123456789012-abcdefghijkl"}),
			attrs: accessLine("/r", "r", "t")[:8]},
		{name: "keyless near misses stay on the fast path", mk: jsonH, ctx: ids,
			attrs: accessLine("/footing.ai.v1.AIGatewayService/Complete", "desk-top-task_live_0123456789", "ASIA-PACIFIC-SOUTHEAST-2")},
		{name: "secret key", mk: jsonH, ctx: ids, attrs: []slog.Attr{slog.String("password", "hunter2"), slog.Int("n", 1)}},
		// A key holding a credential is redacted as Handle redacts it (keys go through
		// the value rules), so such a line takes the general path.
		{name: "JWT as a key", mk: jsonH, ctx: ids, attrs: append(accessLine("/r", "r", "t"),
			slog.Int("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", 1))},
		{name: "keyless token as a key", mk: jsonH, ctx: ids, attrs: []slog.Attr{slog.String("sk-ant-api03-abcdefghijklmnopqrstuvwxyz", "team-a")}},
		{name: "float and any", mk: jsonH, ctx: ids, attrs: []slog.Attr{slog.Float64("f", 0.1), slog.Any("m", map[string]int{"a": 1})}},
		{name: "time attribute", mk: jsonH, ctx: ids, attrs: []slog.Attr{slog.Time("at", ts)}},
		{name: "group attribute", mk: jsonH, ctx: ids, attrs: []slog.Attr{slog.Group("g", slog.Int("a", 1))}},
		{name: "empty key", mk: jsonH, ctx: ids, attrs: []slog.Attr{{}, slog.Int("a", 1)}},
		{name: "zero time", mk: jsonH, ctx: ids, ts: time.Time{}.Add(time.Nanosecond), attrs: accessLine("/r", "r", "t")},
		{name: "extra secret key", ctx: ids, attrs: accessLine("/r", "r", "t"),
			mk: func(b *bytes.Buffer) slog.Handler {
				return logging.NewHandler(b, &logging.Options{SecretKeys: []string{"route"}})
			}},
		{name: "text format", ctx: withSpan, attrs: accessLine("/a b\"c", "r", "t"),
			mk: func(b *bytes.Buffer) slog.Handler {
				return logging.NewHandler(b, &logging.Options{Format: logging.Text})
			}},
		{name: "replace attr", ctx: withSpan, attrs: accessLine("/r", "r", "t"),
			mk: func(b *bytes.Buffer) slog.Handler {
				return logging.NewHandler(b, &logging.Options{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
					if a.Key == "route" {
						a.Value = slog.StringValue("replaced")
					}
					return a
				}})
			}},
		{name: "with attrs", ctx: withSpan, attrs: accessLine("/r", "r", "t"),
			mk: func(b *bytes.Buffer) slog.Handler {
				return logging.NewHandler(b, nil).WithAttrs([]slog.Attr{slog.String("svc", "x")})
			}},
		{name: "with group", ctx: withSpan, attrs: accessLine("/r", "r", "t"),
			mk: func(b *bytes.Buffer) slog.Handler { return logging.NewHandler(b, nil).WithGroup("g") }},
		{name: "bound by FromContext", ctx: context.Background(), attrs: accessLine("/r", "r", "t")[:8],
			mk: func(b *bytes.Buffer) slog.Handler {
				return logging.FromContext(logging.NewContext(withSpan, slog.New(logging.NewHandler(b, nil)))).Handler()
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			when := tc.ts
			if when.IsZero() {
				when = ts
			}
			msg := tc.msg
			if msg == "" {
				msg = "http request"
			}
			fast, slow := bothWays(t, tc.mk, tc.ctx, when, tc.level, msg, tc.attrs)
			if fast != slow {
				t.Fatalf("WriteRecord and slog differ:\nWriteRecord: %q\nslog:        %q", fast, slow)
			}
			// Handle, through a Logger, takes the fast path too when it can.
			var hb bytes.Buffer
			if h := tc.mk(&hb); h.Enabled(tc.ctx, tc.level) {
				r := slog.NewRecord(when, tc.level, msg, 0)
				r.AddAttrs(tc.attrs...)
				if err := h.Handle(tc.ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			if hb.String() != slow {
				t.Fatalf("Handle and slog differ:\nHandle: %q\nslog:   %q", hb.String(), slow)
			}
			if tc.level >= slog.LevelInfo && fast == "" {
				t.Fatal("nothing written")
			}
		})
	}
}

// FuzzWriteRecord checks that the fast path writes what Handle writes for any
// route, request id, tenant and message, and that the JSON it writes decodes
// (with encoding/json) back to the values it was given.
func FuzzWriteRecord(f *testing.F) {
	for _, s := range [][3]string{
		{"/pkg.Svc/Method", "req-1", "acme"},
		{"/a\"b\\c\n", "\x00\x1f\x7f", "<script>&amp;</script>"},
		{"\u2028\u2029", "\xff\xfe", "é\U0001F600"},
		{"Bearer abcdefgh", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", "basic"},
		// Escapes past the first eight bytes, and between words.
		{"/pkg.Service/Method\"x\\y\n", "request-0123456789\x01", "tenant-\u00e9-0123456789\u2028"},
		// Keyless credentials and near misses.
		{"/v1/keys/sk-proj-abcdefghijklmnopqrstuv", "AKIAIOSFODNN7EXAMPLE", "xoxb-123456789012-abcdefghijkl"},
		{"/footing.ai.v1.AIGatewayService/Complete", "ASIA-PACIFIC-0123456789", "desk-top task_live_abcdefghijklmnop"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	ts := time.Date(2026, 11, 22, 9, 30, 1, 123456789, time.UTC)
	mk := func(b *bytes.Buffer) slog.Handler { return logging.NewHandler(b, nil) }
	f.Fuzz(func(t *testing.T, route, requestID, tenant string) {
		ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: tenant, UserId: requestID})
		attrs := accessLine(route, requestID, tenant)
		fast, slow := bothWays(t, mk, ctx, ts, slog.LevelInfo, route, attrs)
		if fast != slow {
			t.Fatalf("WriteRecord and slog differ:\nWriteRecord: %q\nslog:        %q", fast, slow)
		}
		if strings.Count(fast, "\n") != 1 || !strings.HasSuffix(fast, "\n") {
			t.Fatalf("not one line: %q", fast)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(fast), &m); err != nil {
			t.Fatalf("not JSON: %v: %q", err, fast)
		}
		for key, want := range map[string]string{"msg": route, "route": route, "request_id": requestID, "tenant": tenant} {
			if !utf8.ValidString(want) || strings.Contains(fast, logging.Redacted) {
				continue // invalid UTF-8 becomes U+FFFD; a redacted line differs on purpose
			}
			if got, _ := m[key].(string); got != want {
				t.Fatalf("%s decodes to %q, want %q", key, got, want)
			}
		}
	})
}

// TestWriteRecordAllocatesNothing shows that the access line takes the fast path
// (the general one allocates), so that the comparison above tests it.
func TestWriteRecordAllocatesNothing(t *testing.T) {
	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: "acme", UserId: "u-1"})
	ctx = trace.ContextWithSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2},
	}))
	h := logging.NewHandler(io.Discard, nil)
	attrs := accessLine("/pkg.Svc/Method", "req-1", "acme")
	ts := time.Now()
	if n := testing.AllocsPerRun(100, func() {
		_ = h.WriteRecord(ctx, ts, slog.LevelInfo, "http request", attrs...)
	}); n != 0 {
		t.Fatalf("%v allocations per line, want 0", n)
	}
}
