package server_test

import (
	"context"
	"net"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/server"
)

// TestClosersWaitForHijackedHandlers: http.Server.Shutdown does not wait for a
// handler that hijacked its connection (a WebSocket, a raw tunnel): Serve went on to
// the closers — the database pool, the job client — while such a handler still used
// them. The closers now run once every handler has returned.
func TestClosersWaitForHijackedHandlers(t *testing.T) {
	t.Parallel()
	ev := &events{}
	hijacked, release := make(chan struct{}), make(chan struct{})
	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		close(hijacked)
		<-release // still working on the connection, with the pool
		ev.add("hijacked handler returned")
	})
	srv, err := server.New(server.Config{DrainDelay: -1, ShutdownTimeout: time.Minute}, handler, server.WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	srv.OnShutdown("pool", func(context.Context) error { ev.add("close pool"); return nil })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	<-hijacked
	stop()
	// Shutdown returns at once (it does not track hijacked connections); give Serve
	// the chance to run the closers too early, as it did.
	select {
	case err := <-served:
		t.Fatalf("Serve returned while a hijacked handler was running: %v (events %q)", err, ev.list())
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if got, want := ev.list(), []string{"hijacked handler returned", "close pool"}; !slices.Equal(got, want) {
		t.Fatalf("events %q, want %q", got, want)
	}
}

// TestClosersWaitForHandlersPastTheDeadline: past ShutdownTimeout the server cancels
// the remaining requests' contexts and closes their connections, but their handlers
// may still be returning (a query being cancelled): the closers wait for them, up to
// CloseTimeout.
func TestClosersWaitForHandlersPastTheDeadline(t *testing.T) {
	t.Parallel()
	ev := &events{}
	started := make(chan struct{})
	handler := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
		time.Sleep(100 * time.Millisecond) // unwinding: a cancelled query returning
		ev.add("handler returned")
	})
	srv, err := server.New(server.Config{DrainDelay: -1, ShutdownTimeout: 20 * time.Millisecond, CloseTimeout: time.Minute}, handler,
		server.WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	srv.OnShutdown("pool", func(context.Context) error { ev.add("close pool"); return nil })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	client := &http.Client{}
	defer client.CloseIdleConnections()
	go func() {
		req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/", nil)
		if res, err := client.Do(req); err == nil {
			_ = res.Body.Close()
		}
	}()
	<-started
	stop()
	<-served
	if got, want := ev.list(), []string{"handler returned", "close pool"}; !slices.Equal(got, want) {
		t.Fatalf("events %q, want %q", got, want)
	}
}
