package app_test

import (
	"context"
	"flag"
	"log/slog"
	"testing"

	"go.uber.org/goleak"

	"github.com/footingdev/footing/observability"
)

func TestMain(m *testing.M) {
	// The access log and River write through slog.Default: keep test output readable.
	flag.Parse()
	// Telemetry as adr-server installs it (no exporter), so that /metrics answers.
	if _, err := observability.Setup(context.Background(), observability.Config{
		ServiceName: "adr-test", Getenv: func(string) string { return "" },
	}); err != nil {
		panic(err)
	}
	if !testing.Verbose() {
		slog.SetDefault(slog.New(slog.DiscardHandler))
	}
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/jackc/pgx/v5/pgxpool.(*Pool).backgroundHealthCheck"),
		// The shared HTTP/2 test clients keep idle connections until the process exits.
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreTopFunction("golang.org/x/net/http2.(*ClientConn).readLoop"),
		goleak.IgnoreTopFunction("net/http.(*http2ClientConn).readLoop"),
		goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"),
	)
}
