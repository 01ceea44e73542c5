package edge_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/edge"
)

// TestTimeoutsBoundResponseWrites: the server has no WriteTimeout (server streams
// may be long) and leaves the bound to per-route deadlines, but a context deadline
// does not interrupt a blocked write: a client that asks for a large answer (or
// opens a stream) and stops reading held the handler in Write — with its
// goroutine, connection and buffers — for as long as it kept the connection open.
// A write past the route's deadline must fail.
func TestTimeoutsBoundResponseWrites(t *testing.T) {
	t.Parallel()
	writeErr := make(chan error, 1)
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	h := edge.Timeouts(edge.RouteTimeouts{Default: 200 * time.Millisecond})(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for range 256 { // 256 MiB: far more than the socket buffers hold
			if _, err := w.Write(chunk); err != nil {
				writeErr <- err
				return
			}
		}
		writeErr <- nil
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "GET /download HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	// ...and never read.
	select {
	case err := <-writeErr:
		if err == nil {
			t.Fatal("256 MiB written to a client that reads nothing")
		}
	case <-time.After(30 * time.Second): // a bound on a hang, not a timing assertion
		t.Fatal("the handler was still writing 30 s after its 200ms deadline")
	}
}

// TestTimeoutsLetTheLateAnswerOut: a handler that waited for its deadline still
// answers (a Connect handler writes its deadline_exceeded error then): the write
// bound leaves it a grace period past the deadline.
func TestTimeoutsLetTheLateAnswerOut(t *testing.T) {
	t.Parallel()
	h := edge.Timeouts(edge.RouteTimeouts{Default: 50 * time.Millisecond})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		w.WriteHeader(http.StatusGatewayTimeout)
		_, _ = w.Write([]byte("deadline exceeded"))
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatalf("no answer after the deadline: %v", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusGatewayTimeout || string(body) != "deadline exceeded" {
		t.Fatalf("status %d, body %q, %v", res.StatusCode, body, err)
	}
}

// TestTimeoutsBoundResponseWritesOverH2C: the same over HTTP/2, where a client that
// stops reading stops granting flow-control window.
func TestTimeoutsBoundResponseWritesOverH2C(t *testing.T) {
	t.Parallel()
	writeErr := make(chan error, 1)
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	h := edge.Timeouts(edge.RouteTimeouts{Default: 200 * time.Millisecond})(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for range 256 {
			if _, err := w.Write(chunk); err != nil {
				writeErr <- err
				return
			}
		}
		writeErr <- nil
	}))
	srv := httptest.NewUnstartedServer(h)
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	defer srv.Close()
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/download", nil)
	res, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close() // ...without reading it
	select {
	case err := <-writeErr:
		if err == nil {
			t.Fatal("256 MiB written to a client that reads nothing")
		}
	case <-time.After(30 * time.Second): // a bound on a hang, not a timing assertion
		t.Fatal("the handler was still writing 30 s after its 200ms deadline")
	}
}
