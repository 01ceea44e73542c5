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

	"go.opentelemetry.io/otel/sdk/metric/metricdata"
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

// TestHijackedRequestIsNotLoggedAs200 takes connections over behind the
// middleware, as WebSocket upgraders do: after writing 101 through the
// writer, the request is recorded as 101; after writing the 101 to the
// connection itself, which the middleware cannot see, it has no status (not
// a 200 that was never sent, nor the 103 Early Hints written before it). Both
// access lines say hijacked=true.
func TestHijackedRequestIsNotLoggedAs200(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.AlwaysSample())
	mux := http.NewServeMux()
	mux.HandleFunc("GET /said-101", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Upgrade", "test")
		w.Header().Set("Connection", "Upgrade")
		w.WriteHeader(http.StatusSwitchingProtocols)
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack through ResponseController: %v", err)
			return
		}
		defer conn.Close()
		_, _ = brw.WriteString("hello")
		_ = brw.Flush()
	})
	mux.HandleFunc("GET /raw", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Link", "</app.js>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints) // not the status of the response
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		defer conn.Close()
		_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\nhello")
		_ = brw.Flush()
	})
	mw := instrument.Middleware(b.opts()...)(mux)
	served := make(chan struct{}, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mw.ServeHTTP(w, r)
		served <- struct{}{} // the middleware has logged
	}))
	t.Cleanup(srv.Close)

	for _, path := range []string{"/said-101", "/raw"} {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: test\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n")
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err == nil && resp.StatusCode == http.StatusEarlyHints {
			_ = resp.Body.Close()
			resp, err = http.ReadResponse(br, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close() // a 101 has no body: the connection's bytes follow
		if resp.StatusCode != http.StatusSwitchingProtocols {
			t.Fatalf("%s: status %d", path, resp.StatusCode)
		}
		if rest, _ := io.ReadAll(br); string(rest) != "hello" {
			t.Fatalf("%s: after the upgrade %q", path, rest)
		}
		_ = conn.Close()
		<-served
	}

	byPath := map[string]map[string]any{}
	for _, l := range b.lines(t) {
		if l["msg"] == "http request" {
			byPath[l["path"].(string)] = l
		}
	}
	if l := byPath["/said-101"]; l["status"] != float64(101) || l["hijacked"] != true {
		t.Errorf("access line after 101 and hijack: %v, want status 101 and hijacked=true", l)
	}
	if l, ok := byPath["/raw"]; !ok || l["hijacked"] != true {
		t.Errorf("access line after a raw hijack: %v, want hijacked=true", l)
	} else if _, has := l["status"]; has {
		t.Errorf("access line after a raw hijack claims status %v", l["status"])
	}
	for _, s := range b.spans.Ended() {
		got := spanAttrs(s)["http.response.status_code"]
		if want := map[string]string{"GET /said-101": "101", "GET /raw": ""}[s.Name()]; got != want {
			t.Errorf("span %q: status code %q, want %q", s.Name(), got, want)
		}
	}
	for _, dp := range b.metric(t, "http.server.request.duration").Data.(metricdata.Histogram[float64]).DataPoints {
		if v, ok := dp.Attributes.Value("http.response.status_code"); ok && v.AsInt64() == http.StatusOK {
			t.Errorf("duration recorded under status 200: %v", attrMap(dp.Attributes))
		}
	}
}
