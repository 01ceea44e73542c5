package health_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/health"
)

// lockedBuffer is a bytes.Buffer for a logger written from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestPanickingCheckIsLoggedWithItsCause: a check that panics is reported
// "failed" (nothing more to the anonymous caller), but the log said only "check
// panicked": the panic value and where it happened were lost, so nobody could tell
// why readiness failed.
func TestPanickingCheckIsLoggedWithItsCause(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	c := health.New(health.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	c.Register("db", time.Second, func(context.Context) error {
		var checks []func() error
		return checks[0]() // index out of range
	})
	rep := c.Run(context.Background())
	if rep.Status != health.StatusFail || rep.Checks["db"].Error != "failed" {
		t.Fatalf("report %+v", rep)
	}
	got := logs.String()
	if !strings.Contains(got, "index out of range") || !strings.Contains(got, "panic_test.go") {
		t.Fatalf("log %q: want the panic value and its stack", got)
	}
}
