package logging_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/observability/internal/accessline"
	"github.com/footingdev/footing/observability/logging"
)

// lineBothWays writes l through accessline.Write (falling back to
// WriteRecord with l.Attrs when it declines, as package instrument does) and
// through WriteRecord with l.Attrs, each on its own handler made by mk, and
// returns the two outputs and whether accessline.Write took the line.
func lineBothWays(t testing.TB, mk func(*bytes.Buffer) slog.Handler, ctx context.Context, ts time.Time, level slog.Level, msg string, l accessline.Line) (direct, viaAttrs string, took bool) {
	t.Helper()
	// One call site for both, so that a handler with AddSource writes the
	// same source.
	writeAttrs := func(h *logging.Handler) error { return h.WriteRecord(ctx, ts, level, msg, l.Attrs(nil)...) }
	var db, ab bytes.Buffer
	dh, ok := mk(&db).(*logging.Handler)
	if !ok {
		t.Fatal("not a *logging.Handler")
	}
	took, err := accessline.Write(dh, ctx, ts, level, msg, l)
	if err != nil {
		t.Fatal(err)
	}
	if !took {
		if db.Len() != 0 {
			t.Fatalf("accessline.Write declined the line but wrote %q", db.String())
		}
		if err := writeAttrs(dh); err != nil {
			t.Fatal(err)
		}
	}
	ah := mk(&ab).(*logging.Handler)
	if err := writeAttrs(ah); err != nil {
		t.Fatal(err)
	}
	return db.String(), ab.String(), took
}

func TestAccessLineMatchesWriteRecord(t *testing.T) {
	t.Parallel()
	ts := time.Date(2026, 12, 7, 20, 1, 2, 345678900, time.UTC)
	ids := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: "acme", UserId: "u-1"})
	ids = identity.WithRequestMetadata(ids, &commonv1.RequestMetadata{RequestId: "req-1"})
	withSpan := trace.ContextWithSpanContext(ids, trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		SpanID:  trace.SpanID{0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 1, 2}, TraceFlags: trace.FlagsSampled,
	}))
	full := accessline.Line{
		Method: "POST", Route: "/grpc.health.v1.Health/Check", Path: "/grpc.health.v1.Health/Check", Status: 200,
		Duration: 1234567 * time.Nanosecond, BytesIn: 5, BytesOut: 2048,
		Code: "ok", RequestID: "req-2", Tenant: "t2", User: "u2",
	}
	with := func(f func(*accessline.Line)) accessline.Line {
		l := full
		f(&l)
		return l
	}
	jsonH := func(b *bytes.Buffer) slog.Handler { return logging.NewHandler(b, nil) }
	for _, tc := range []struct {
		name string
		mk   func(*bytes.Buffer) slog.Handler
		ctx  context.Context
		l    accessline.Line
		take bool // accessline.Write writes it itself
		lvl  slog.Level
		msg  string
	}{
		{name: "full line", l: full, take: true},
		{name: "ids from the context", l: with(func(l *accessline.Line) { l.RequestID, l.Tenant, l.User = "", "", "" }), take: true},
		{name: "no context", ctx: context.Background(), l: full, take: true},
		{name: "no status, hijacked", l: with(func(l *accessline.Line) { l.Status, l.Hijacked = 0, true }), take: true},
		{name: "no code", l: with(func(l *accessline.Line) { l.Code = "" }), take: true},
		{name: "empty strings", l: accessline.Line{}, take: true},
		{name: "negative numbers", l: with(func(l *accessline.Line) { l.Duration, l.BytesIn, l.Status = -1, -1, 599 }), take: true},
		{name: "extra attributes", l: with(func(l *accessline.Line) {
			l.Extra = []slog.Attr{slog.String("cache", "hit"), slog.Int("n", 3), slog.String("trace_id", "mine")}
		}), take: true},
		{name: "escaping", l: with(func(l *accessline.Line) {
			l.Route, l.Path, l.Method, l.User = "/a\"b\\c\nd\u2029\x7f<>&", "/é\xff", "PO\tST", "u\x00"
		}), take: true},
		{name: "level error", lvl: slog.LevelError, l: full, take: true},
		{name: "message with escapes", msg: "http \"request\"\n", l: full, take: true},
		// The rest go the general way, through WriteRecord: the same line.
		{name: "bearer in the path", l: with(func(l *accessline.Line) { l.Path = "/r?access=Bearer abcdefghijk" })},
		{name: "token in the route", l: with(func(l *accessline.Line) { l.Route = "/x?access_token=abc" })},
		{name: "token in route and path", l: with(func(l *accessline.Line) { l.Route, l.Path = "/x?access_token=abc", "/x?access_token=abc" })},
		{name: "escapes in route and path", l: with(func(l *accessline.Line) { l.Route, l.Path = "/a\"b\u2028", "/a\"b\u2028" }), take: true},
		{name: "JWT as the user", l: with(func(l *accessline.Line) { l.User = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl" })},
		{name: "JWT in the message", msg: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", l: full},
		{name: "keyless token in the path", l: with(func(l *accessline.Line) { l.Path = "/v1/keys/sk-ant-api03-abcdefghijklmnopqrstuv" })},
		{name: "keyless token in route and path", l: with(func(l *accessline.Line) {
			l.Route, l.Path = "/keys/AIzaSyZx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Jh1Gf0EdCb", "/keys/AIzaSyZx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Jh1Gf0EdCb"
		})},
		{name: "AWS key id as the request id", l: with(func(l *accessline.Line) { l.RequestID = "ASIAY34FZKBOKMUTVV7A" })},
		{name: "keyless token as the code", l: with(func(l *accessline.Line) { l.Code = "sk_live_abcdefghijklmnopqrstuvwx" })},
		{name: "keyless token in the message", msg: "invalid key github_pat_abcdefghijklmnopqrstuvwxyz0123", l: full},
		{name: "keyless near misses", take: true, l: with(func(l *accessline.Line) {
			l.Route, l.Path, l.RequestID = "/footing.ai.v1.AIGatewayService/Complete", "/footing.ai.v1.AIGatewayService/Complete", "desk-top-task_live_0123456789"
		})},
		{name: "secret extra", l: with(func(l *accessline.Line) { l.Extra = []slog.Attr{slog.String("password", "hunter2")} })},
		{name: "extra of another kind", l: with(func(l *accessline.Line) { l.Extra = []slog.Attr{slog.Float64("f", 0.5)} })},
		{name: "below level", lvl: slog.LevelDebug, l: full, take: true},
		{name: "zero time", l: full},
		{name: "route is a secret key", l: full, mk: func(b *bytes.Buffer) slog.Handler {
			return logging.NewHandler(b, &logging.Options{SecretKeys: []string{"route"}})
		}},
		{name: "hijacked is a secret key", l: with(func(l *accessline.Line) { l.Hijacked = true }), mk: func(b *bytes.Buffer) slog.Handler {
			return logging.NewHandler(b, &logging.Options{SecretKeys: []string{"hijacked"}})
		}},
		{name: "text format", l: full, mk: func(b *bytes.Buffer) slog.Handler {
			return logging.NewHandler(b, &logging.Options{Format: logging.Text})
		}},
		{name: "add source", l: full, mk: func(b *bytes.Buffer) slog.Handler {
			return logging.NewHandler(b, &logging.Options{AddSource: true})
		}},
		{name: "with attrs", l: full, mk: func(b *bytes.Buffer) slog.Handler {
			return logging.NewHandler(b, nil).WithAttrs([]slog.Attr{slog.String("svc", "x")})
		}},
		{name: "bound by FromContext", ctx: context.Background(), l: full, take: true, mk: func(b *bytes.Buffer) slog.Handler {
			return logging.FromContext(logging.NewContext(withSpan, slog.New(logging.NewHandler(b, nil)))).Handler()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mk, ctx, msg, when := tc.mk, tc.ctx, tc.msg, ts
			if mk == nil {
				mk = jsonH
			}
			if ctx == nil {
				ctx = withSpan
			}
			if msg == "" {
				msg = "http request"
			}
			if tc.name == "zero time" {
				when = time.Time{}
			}
			direct, viaAttrs, took := lineBothWays(t, mk, ctx, when, tc.lvl, msg, tc.l)
			if direct != viaAttrs {
				t.Fatalf("accessline.Write and WriteRecord differ:\naccessline: %q\nWriteRecord: %q", direct, viaAttrs)
			}
			if took != tc.take {
				t.Fatalf("accessline.Write took the line: %v, want %v", took, tc.take)
			}
			if tc.lvl >= slog.LevelInfo && direct == "" {
				t.Fatal("nothing written")
			}
		})
	}
}

// FuzzAccessLine checks that accessline.Write writes what WriteRecord writes
// for any strings and numbers of the line.
func FuzzAccessLine(f *testing.F) {
	f.Add("POST", "/pkg.Svc/Method", "/pkg.Svc/Method", 200, int64(5), "ok", "req-1", "acme", "u1", false)
	f.Add("GE\"T", "/a\\b", "/?token=x", 0, int64(-1), "", "", "", "", true)
	f.Add("x", "Bearer abcdefgh", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", 599, int64(1<<40), "internal", "\x00", "é\U0001F600", "\u2028", false)
	f.Add("POST", "/v1/keys/sk-proj-abcdefghijklmnopqrstuv", "/footing.ai.v1.AIGatewayService/Complete", 401, int64(9), "AKIAIOSFODNN7EXAMPLE",
		"xoxb-123456789012-abcdefghijkl", "desk-top", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", true)
	ts := time.Date(2026, 12, 7, 20, 1, 2, 3, time.UTC)
	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: "t", UserId: "u"})
	mk := func(b *bytes.Buffer) slog.Handler { return logging.NewHandler(b, nil) }
	f.Fuzz(func(t *testing.T, method, route, path string, status int, bytesIn int64, code, requestID, tenant, user string, hijacked bool) {
		l := accessline.Line{Method: method, Route: route, Path: path, Status: status, Duration: time.Duration(bytesIn) * 3,
			BytesIn: bytesIn, BytesOut: -bytesIn, Hijacked: hijacked, Code: code, RequestID: requestID, Tenant: tenant, User: user}
		direct, viaAttrs, _ := lineBothWays(t, mk, ctx, ts, slog.LevelInfo, "http request", l)
		if direct != viaAttrs {
			t.Fatalf("accessline.Write and WriteRecord differ:\naccessline: %q\nWriteRecord: %q", direct, viaAttrs)
		}
	})
}

// TestAccessLineAllocatesNothing shows that the line takes the direct path
// without an allocation.
func TestAccessLineAllocatesNothing(t *testing.T) {
	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: "acme", UserId: "u-1"})
	h := logging.NewHandler(io.Discard, nil)
	l := accessline.Line{Method: "POST", Route: "/r", Path: "/r", Status: 200, Code: "ok", RequestID: "req-1"}
	ts := time.Now()
	if n := testing.AllocsPerRun(100, func() {
		_, _ = accessline.Write(h, ctx, ts, slog.LevelInfo, "http request", l)
	}); n != 0 {
		t.Fatalf("%v allocations per line, want 0", n)
	}
}

// TestAccessLineMessageIsClean checks what writeLine takes for granted of
// accessline.Message: no credential marker under any keys, nothing to escape.
func TestAccessLineMessageIsClean(t *testing.T) {
	t.Parallel()
	for _, keys := range [][]string{nil, {"http", "request", "http request", "httprequest"}} {
		var b bytes.Buffer
		h := logging.NewHandler(&b, &logging.Options{SecretKeys: keys})
		if err := h.WriteRecord(context.Background(), time.Now(), slog.LevelInfo, accessline.Message); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), `"msg":"`+accessline.Message+`"`) {
			t.Fatalf("message changed: %s", b.String())
		}
	}
	if got := logging.Redact(accessline.Message); got != accessline.Message {
		t.Fatalf("Redact(%q) = %q", accessline.Message, got)
	}
	if strings.ContainsAny(accessline.Message, "=:JbB\"\\") {
		t.Fatalf("%q holds a marker byte", accessline.Message)
	}
	for i := range len(accessline.Message) {
		if c := accessline.Message[i]; c < 0x20 || c >= 0x7f {
			t.Fatalf("%q holds a byte JSON escapes: %#x", accessline.Message, c)
		}
	}
}

// TestLevelsNeedNoEscaping checks that every level's name is written as it
// is, as the fast path takes for granted.
func TestLevelsNeedNoEscaping(t *testing.T) {
	t.Parallel()
	for l := slog.Level(-20); l <= 20; l++ {
		if s := l.String(); strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-") != "" {
			t.Fatalf("level %d is %q", int(l), s)
		}
	}
}
