package instrument_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/footingdev/footing/observability/instrument"
)

// TestMiddlewareWriterKeepsCapabilities checks that what a handler behind the
// middleware needs from its writer still works: flushing an event stream
// before the handler returns, write deadlines through http.ResponseController,
// and taking over the connection through an http.Hijacker assertion, which
// WebSocket libraries such as gorilla/websocket make.
func TestMiddlewareWriterKeepsCapabilities(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.AlwaysSample())
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) {
		if err := http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Errorf("SetWriteDeadline through the middleware: %v", err)
		}
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: first\n\n")
		f, ok := w.(http.Flusher)
		if !ok {
			t.Error("the writer is not an http.Flusher")
			return
		}
		f.Flush()
		select { // the client reads the event while the handler still runs
		case <-release:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, _ *http.Request) {
		h, ok := w.(http.Hijacker)
		if !ok {
			http.Error(w, "response does not implement http.Hijacker", http.StatusInternalServerError)
			return
		}
		conn, brw, err := h.Hijack()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer conn.Close()
		_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\nhello")
		_ = brw.Flush()
	})
	srv := httptest.NewServer(instrument.Middleware(b.opts()...)(mux))
	t.Cleanup(srv.Close)

	t.Run("flush", func(t *testing.T) {
		defer close(release)
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+"/events", nil)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		line, err := bufio.NewReader(resp.Body).ReadString('\n')
		if err != nil || line != "data: first\n" {
			t.Fatalf("first event: %q, %v", line, err)
		}
	})

	t.Run("hijack", func(t *testing.T) {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_, _ = io.WriteString(conn, "GET /ws HTTP/1.1\r\nHost: test\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusSwitchingProtocols {
			body, _ := io.ReadAll(resp.Body)
			t.Fatalf("status %d, body %q: the upgrade did not get the connection", resp.StatusCode, strings.TrimSpace(string(body)))
		}
	})
}
