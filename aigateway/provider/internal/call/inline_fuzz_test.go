package call

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// FuzzInlineResponse has a server answer one request with arbitrary bytes and
// close the connection: the round trip and the body read must end (no panic,
// no hang), and a connection that gave an error must not be in the pool.
func FuzzInlineResponse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n5;e=1\r\nhello\r\n0\r\nX-T: v\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nuntil close",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
		"HTTP/1.1 200 OK\r\n" + strings.Repeat("X-A: aaaaaaaa\r\n", 400) + "\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n\r\n",
		"garbage\r\n\r\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tr := newInlineTransport(&http.Transport{MaxIdleConnsPerHost: 2, MaxResponseHeaderBytes: 4 << 10})
		var wg sync.WaitGroup
		tr.dial = func(context.Context, string, string) (net.Conn, error) {
			client, srv := net.Pipe()
			wg.Go(func() {
				defer srv.Close()
				req, err := http.ReadRequest(bufio.NewReader(srv))
				if err != nil {
					return
				}
				if _, err := io.Copy(io.Discard, req.Body); err != nil {
					return
				}
				_, _ = srv.Write(data)
			})
			return client, nil
		}
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://upstream.test/v1", strings.NewReader(`{"k":1}`))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := tr.RoundTrip(req)
		if err == nil {
			_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			_ = resp.Body.Close()
		}
		if ctx.Err() != nil {
			t.Fatal("no end within 5s")
		}
		tr.mu.Lock()
		pooled := len(tr.idle["upstream.test:80"])
		tr.mu.Unlock()
		if err != nil && pooled != 0 {
			t.Errorf("error %v, and the connection went back to the pool", err)
		}
		tr.CloseIdleConnections()
		wg.Wait()
	})
}
