package logging_test

import (
	"bytes"
	"context"
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

// FuzzAccessLineEveryField compares the direct access line (accessline.Write,
// falling back to WriteRecord as package instrument does) with slog's own
// handler (the fast path off) for what FuzzAccessLine holds fixed: the
// message, the level, the time and its zone, an Annotate attribute, the
// context's ids and span, and a secret key of the handler's.
func FuzzAccessLineEveryField(f *testing.F) {
	f.Add("http request", 0, int64(1795000000), int64(123456789), 0, "cache", "hit", "req-1", "acme", "u1", true, "", "/pkg.Svc/M", "POST")
	f.Add("http \"request\"\n", 8, int64(-62167219200), int64(0), -3600, "api_key", "abc", "", "", "", false, "route", "/x?token=1", "GET")
	f.Add("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", -4, int64(253402300799), int64(999999999), 86399, "", "Bearer abcdefgh", "eyJ", "basic x", "\u2028", true, "cache", "/a", "")
	f.Add("m", 12, int64(253402300800), int64(1), 30, "trace_id", "mine", "r", "t", "u", true, "user", "/b", "x")
	f.Add("m", 4, int64(-62167219201), int64(500), -30, "Authorization", "Basic dXNlcjpwYXNz", "r", "t", "u", false, "", "/"+strings.Repeat("a", 64)+"?password=hunter2", "GET")
	f.Add("login failed: password=hunter2", 0, int64(1795000000), int64(0), 14*3600, "request_id", "https://u:p@h/x", "r", "t", "u", true, "", "/users/{id}", "GET")
	f.Add("m\x01\u2029", 100, int64(253402300799), int64(1), -30, "k\"\xff", "v\u2028<&>", "r\x00", "t", "u", true, "", "/é", "GET")
	f.Add("m", 0, int64(1795000000), int64(7), 0, "x\"y", "{\"client_secret\":\"s3\"}", "r", "t", "u", false, "x_y", "/x:y@z", "PUT")
	f.Add("invalid key sk-ant-api03-abcdefghijklmnopqrstuv", 0, int64(1795000000), int64(0), 0, "upstream", "AIzaSyZx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Jh1Gf0EdCb",
		"AKIAIOSFODNN7EXAMPLE", "acme", "xoxp-123456789012-abcdefghijkl", false, "", "/v1/keys/sk_test_abcdefghijklmnopqrstuv", "POST")
	f.Fuzz(func(t *testing.T, msg string, level int, sec, nsec int64, offset int, key, value, ctxRequestID, ctxTenant, ctxUser string, span bool, secretKey, path, method string) {
		ts := time.Unix(sec, nsec).In(time.FixedZone("z", offset))
		ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: ctxTenant, UserId: ctxUser})
		ctx = identity.WithRequestMetadata(ctx, &commonv1.RequestMetadata{RequestId: ctxRequestID})
		if span {
			ctx = trace.ContextWithSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
				TraceID: trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, byte(sec)},
				SpanID:  trace.SpanID{0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 1, byte(nsec)},
			}))
		}
		var keys []string
		if secretKey != "" {
			keys = []string{secretKey}
		}
		l := accessline.Line{Method: method, Route: path, Path: path, Status: level * 50, Duration: time.Duration(nsec),
			BytesIn: sec, BytesOut: nsec, Hijacked: span, Code: value, RequestID: ctxUser, Extra: []slog.Attr{slog.String(key, value), slog.Int(key+"n", offset)}}
		if level%2 == 0 {
			l.RequestID, l.Tenant = "", ctxRequestID
		}
		var db, sb bytes.Buffer
		dh := logging.NewHandler(&db, &logging.Options{SecretKeys: keys, Level: slog.Level(-100)})
		took, err := accessline.Write(dh, ctx, ts, slog.Level(level), msg, l)
		if err != nil {
			t.Fatal(err)
		}
		if !took {
			if db.Len() != 0 {
				t.Fatalf("declined but wrote %q", db.String())
			}
			if err := dh.WriteRecord(ctx, ts, slog.Level(level), msg, l.Attrs(nil)...); err != nil {
				t.Fatal(err)
			}
		}
		sh := logging.SlowForTest(logging.NewHandler(&sb, &logging.Options{SecretKeys: keys, Level: slog.Level(-100)}))
		if sh.Enabled(ctx, slog.Level(level)) {
			r := slog.NewRecord(ts, slog.Level(level), msg, 0)
			r.AddAttrs(l.Attrs(nil)...)
			if err := sh.Handle(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if db.String() != sb.String() {
			t.Fatalf("direct line and slog differ (took %v):\ndirect: %q\nslog:   %q", took, db.String(), sb.String())
		}
	})
}
