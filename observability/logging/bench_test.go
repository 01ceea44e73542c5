package logging_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/observability/internal/benchcmp"
	"github.com/footingdev/footing/observability/logging"
)

// logRequestLine writes the access-log line instrument writes for one request.
func logRequestLine(ctx context.Context, l *slog.Logger) {
	l.LogAttrs(ctx, slog.LevelInfo, "http request",
		slog.String("method", "POST"),
		slog.String("route", "/footing.ai.v1.AIGatewayService/Complete"),
		slog.String("path", "/footing.ai.v1.AIGatewayService/Complete"),
		slog.Int("status", 200),
		slog.Duration("duration", 12345*time.Microsecond),
		slog.Int64("bytes_in", 512),
		slog.Int64("bytes_out", 2048),
		slog.String("code", "ok"),
	)
}

// BenchmarkRequestLine compares writing an access-log line through the
// redacting handler with plain slog JSON, both to io.Discard, in the same
// process, interleaved (see internal/benchcmp). "ids in context" gives the redacting handler a request id, tenant
// and user to add (the plain handler cannot); "same attrs" gives both handlers
// the same line. x-plain is the time ratio.
func BenchmarkRequestLine(b *testing.B) {
	withIDs := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: "acme", UserId: "u-1"})
	withIDs = identity.WithRequestMetadata(withIDs, &commonv1.RequestMetadata{RequestId: "req-1"})
	plain := slog.New(slog.NewJSONHandler(io.Discard, nil))
	redacting := slog.New(logging.NewHandler(io.Discard, nil))
	for _, tc := range []struct {
		name string
		ctx  context.Context
	}{
		{"same attrs", context.Background()},
		{"ids in context", withIDs},
	} {
		b.Run(tc.name, func(b *testing.B) {
			r := benchcmp.Compare(b.N, func() { logRequestLine(tc.ctx, plain) }, func() { logRequestLine(tc.ctx, redacting) })
			b.ReportMetric(r.SubjectNs, "ns/line")
			b.ReportMetric(r.BaseNs, "plain-ns/line")
			b.ReportMetric(r.Ratio(), "x-plain")
			b.ReportMetric(r.SubjectAllocs, "allocs/line")
			b.ReportMetric(r.BaseAllocs, "plain-allocs/line")
		})
	}
	// The line as instrument writes it: through WriteRecord, with the ids the
	// middleware names itself, against plain slog writing the same fields.
	line := []slog.Attr{
		slog.String("method", "POST"),
		slog.String("route", "/footing.ai.v1.AIGatewayService/Complete"),
		slog.String("path", "/footing.ai.v1.AIGatewayService/Complete"),
		slog.Int("status", 200),
		slog.Duration("duration", 12345*time.Microsecond),
		slog.Int64("bytes_in", 512),
		slog.Int64("bytes_out", 2048),
		slog.String("code", "ok"),
		slog.String("request_id", "req-1"),
		slog.String("tenant", "acme"),
		slog.String("user", "u-1"),
	}
	h := logging.NewHandler(io.Discard, nil)
	b.Run("WriteRecord", func(b *testing.B) {
		r := benchcmp.Compare(b.N,
			func() { plain.LogAttrs(withIDs, slog.LevelInfo, "http request", line...) },
			func() { _ = h.WriteRecord(withIDs, time.Now(), slog.LevelInfo, "http request", line...) })
		b.ReportMetric(r.SubjectNs, "ns/line")
		b.ReportMetric(r.BaseNs, "plain-ns/line")
		b.ReportMetric(r.Ratio(), "x-plain")
		b.ReportMetric(r.SubjectAllocs, "allocs/line")
		b.ReportMetric(r.BaseAllocs, "plain-allocs/line")
	})
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			logRequestLine(context.Background(), plain)
		}
	})
}
