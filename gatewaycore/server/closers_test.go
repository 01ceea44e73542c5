package server_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/server"
)

// serveAndStop serves srv on a loopback listener, stops it at once and returns what
// Serve returned — or, should Serve panic, the panic as an error; it fails the test if
// Serve has not returned within a minute (a hang, not a slow machine).
func serveAndStop(t *testing.T, srv *server.Server) error {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	stop()
	served := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				served <- fmt.Errorf("Serve panicked: %v", v)
			}
		}()
		served <- srv.Serve(ctx, ln)
	}()
	select {
	case err := <-served:
		return err
	case <-time.After(time.Minute):
		t.Fatal("Serve did not return: the shutdown hangs")
		return nil
	}
}

// TestCloseTimeoutBoundsClosersThatIgnoreTheirContext: CloseTimeout is documented to
// bound the closers, but Serve waited for each closer to return, so one that ignores
// its context — pgxpool's Close waits for every connection to be released, a
// `return <-done` of a worker that never stops — held the shutdown for ever, and the
// closers after it (telemetry's flush) never ran either way. A closer still running
// at CloseTimeout is now abandoned and named, as are the closers not run.
func TestCloseTimeoutBoundsClosersThatIgnoreTheirContext(t *testing.T) {
	t.Parallel()
	ev := &events{}
	release := make(chan struct{})
	defer close(release)
	srv, err := server.New(server.Config{DrainDelay: -1, CloseTimeout: 50 * time.Millisecond},
		http.NotFoundHandler(), server.WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	srv.OnShutdown("telemetry", func(context.Context) error { ev.add("close telemetry"); return nil })
	srv.OnShutdown("pool", func(context.Context) error {
		ev.add("close pool")
		<-release // ignores its context
		return nil
	})
	srv.OnShutdown("jobs", func(context.Context) error { ev.add("stop jobs"); return nil })

	err = serveAndStop(t, srv)
	if err == nil || !strings.Contains(err.Error(), "closing pool: did not return within CLOSE_TIMEOUT") ||
		!strings.Contains(err.Error(), "not run") || !strings.Contains(err.Error(), "telemetry") {
		t.Fatalf("Serve = %v; want the hung closer and the one not run named", err)
	}
	if got, want := ev.list(), []string{"stop jobs", "close pool"}; !slices.Equal(got, want) {
		t.Fatalf("events %q, want %q", got, want)
	}
}

// TestPanickingCloserDoesNotSkipTheOthers: a closer that panicked took the process
// down from Serve, and the closers registered before it (the pool, telemetry's
// flush) never ran. The panic is now reported as that closer's failure and the
// others run.
func TestPanickingCloserDoesNotSkipTheOthers(t *testing.T) {
	t.Parallel()
	ev := &events{}
	srv, err := server.New(server.Config{DrainDelay: -1}, http.NotFoundHandler(), server.WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	srv.OnShutdown("telemetry", func(context.Context) error { ev.add("close telemetry"); return nil })
	srv.OnShutdown("cache", func(context.Context) error {
		var client *http.Client
		client.CloseIdleConnections() // a bug: a nil client, so a nil dereference
		return nil
	})
	srv.OnShutdown("jobs", func(context.Context) error { ev.add("stop jobs"); return errors.New("jobs failed") })

	err = serveAndStop(t, srv)
	if err == nil || !strings.Contains(err.Error(), "closing cache: panicked") || !strings.Contains(err.Error(), "closing jobs: jobs failed") {
		t.Fatalf("Serve = %v; want the panic and the failure reported by closer", err)
	}
	if got, want := ev.list(), []string{"stop jobs", "close telemetry"}; !slices.Equal(got, want) {
		t.Fatalf("events %q, want %q", got, want)
	}
}
