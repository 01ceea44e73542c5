package edge_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/edge"
)

// TestTimeoutsBoundBodyReads: the server has no ReadTimeout (client streams may be
// long) and leaves the bound to per-route deadlines, but a deadline on the context
// does not interrupt a read of the request body: a client that declares a body and
// sends it a byte at a time, or not at all, held the handler (and its goroutine,
// connection and buffers) for as long as it liked. A body read past the route's
// deadline must fail.
func TestTimeoutsBoundBodyReads(t *testing.T) {
	t.Parallel()
	readErr := make(chan error, 1)
	h := edge.Timeouts(edge.RouteTimeouts{Default: 200 * time.Millisecond})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		readErr <- err
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Headers promising 100 bytes, then one byte, then nothing.
	if _, err := fmt.Fprintf(conn, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nx"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-readErr:
		if err == nil {
			t.Fatal("the body read succeeded with 99 bytes missing")
		}
	case <-time.After(30 * time.Second): // a bound on a hang, not a timing assertion
		t.Fatal("the handler was still reading the body 30 s after its 200ms deadline")
	}
}

// TestTimeoutsBoundBodyReadsOverH2C: the same over HTTP/2 (h2c, as
// gatewaycore/server serves cleartext), where the deadline is the stream's.
func TestTimeoutsBoundBodyReadsOverH2C(t *testing.T) {
	t.Parallel()
	readErr := make(chan error, 1)
	h := edge.Timeouts(edge.RouteTimeouts{Default: 200 * time.Millisecond})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		readErr <- err
	}))
	srv := httptest.NewUnstartedServer(h)
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	defer srv.Close()
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	defer tr.CloseIdleConnections()
	pr, pw := io.Pipe()
	defer pw.Close()
	go func() { _, _ = pw.Write([]byte("x")) }() // one byte, then nothing
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/upload", pr)
	go func() {
		if res, err := tr.RoundTrip(req); err == nil {
			_ = res.Body.Close()
		}
	}()
	select {
	case err := <-readErr:
		if err == nil {
			t.Fatal("the body read succeeded though the client never finished it")
		}
	case <-time.After(30 * time.Second): // a bound on a hang, not a timing assertion
		t.Fatal("the handler was still reading the body 30 s after its 200ms deadline")
	}
}
