package call

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// server starts h on loopback and counts the connections it accepts.
func server(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func transport(t *testing.T, next *http.Transport) *inlineTransport {
	t.Helper()
	if next == nil {
		next = &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute}
	}
	tr := newInlineTransport(next)
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

// post sends body to url and reads the answer to its end.
func post(t *testing.T, c *http.Client, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func echo(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	w.Header().Set("X-Method", r.Method)
	_, _ = fmt.Fprintf(w, "%s %s %s", r.Method, r.URL.RequestURI(), b)
}

func TestInlineRequestsAndReuse(t *testing.T) {
	t.Parallel()
	srv, conns := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chunked": // flushed in pieces: chunked transfer encoding
			for i := range 3 {
				_, _ = fmt.Fprintf(w, "data: %d\n\n", i)
				w.(http.Flusher).Flush()
			}
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		case "/continue": // a 1xx answer before the response
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusAccepted)
			_, _ = io.WriteString(w, "accepted")
		default:
			echo(w, r)
		}
	})
	c := &http.Client{Transport: transport(t, nil)}
	for _, tc := range []struct {
		path, body string
		status     int
		want       string
	}{
		{"/v1/chat?x=1", `{"a":1}`, 200, `POST /v1/chat?x=1 {"a":1}`},
		{"/chunked", "", 200, "data: 0\n\ndata: 1\n\ndata: 2\n\n"},
		{"/empty", "", 204, ""},
		{"/continue", "", 202, "accepted"},
		{"/again", "x", 200, "POST /again x"},
	} {
		if status, got := post(t, c, srv.URL+tc.path, tc.body); status != tc.status || got != tc.want {
			t.Errorf("%s: %d %q, want %d %q", tc.path, status, got, tc.status, tc.want)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("5 requests read to their end opened %d connections, want 1", n)
	}
}

func TestInlineDropsConnectionClosedWhileIdle(t *testing.T) {
	t.Parallel()
	srv, conns := server(t, echo)
	c := &http.Client{Transport: transport(t, nil)}
	post(t, c, srv.URL, "1")
	srv.CloseClientConnections() // the server ends the idle connection
	// The peek sees the server's FIN once it has arrived; until then the pooled
	// connection may still look alive, so wait for it as a client would not.
	deadline := time.Now().Add(5 * time.Second)
	for {
		tr := c.Transport.(*inlineTransport)
		tr.mu.Lock()
		var pc *inlineConn
		if l := tr.idle[hostPort(mustURL(t, srv.URL))]; len(l) == 1 {
			pc = l[0]
		}
		tr.mu.Unlock()
		if pc == nil || !alive(pc.c) || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if status, got := post(t, c, srv.URL, "2"); status != 200 || got != "POST / 2" {
		t.Fatalf("after the server closed the idle connection: %d %q", status, got)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestInlineConnectionCloseIsNotReused(t *testing.T) {
	t.Parallel()
	srv, conns := server(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		echo(w, r)
	})
	c := &http.Client{Transport: transport(t, nil)}
	for range 3 {
		post(t, c, srv.URL, "x")
	}
	if n := conns.Load(); n != 3 {
		t.Errorf("3 requests answered with Connection: close opened %d connections, want 3", n)
	}
}

// stream answers with one event, then waits for the client to go away and
// signals it on gone; it echoes requests to other paths than the root.
func stream(gone chan<- struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			echo(w, r)
			return
		}
		_, _ = io.WriteString(w, "data: 1\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			gone <- struct{}{}
		case <-time.After(10 * time.Second):
		}
	}
}

func TestInlineCloseBeforeEndCancelsUpstream(t *testing.T) {
	t.Parallel()
	gone := make(chan struct{}, 1)
	srv, conns := server(t, stream(gone))
	c := &http.Client{Transport: transport(t, nil)}
	resp, err := c.Post(srv.URL, "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 9)
	if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != "data: 1\n\n" {
		t.Fatalf("read %q, %v", buf, err)
	}
	_ = resp.Body.Close()
	if _, err := resp.Body.Read(buf); err == nil {
		t.Error("read after Close succeeded")
	}
	select {
	case <-gone:
	case <-time.After(time.Second):
		t.Fatal("the server did not see the request cancelled")
	}
	if status, _ := post(t, c, srv.URL+"/again", "again"); status != 200 || conns.Load() != 2 {
		t.Errorf("after an early close: status %d, %d connections (want a new one)", status, conns.Load())
	}
}

func TestInlineCancelUnblocksRead(t *testing.T) {
	t.Parallel()
	gone := make(chan struct{}, 1)
	srv, _ := server(t, stream(gone))
	c := &http.Client{Transport: transport(t, nil)}
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader("x"))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 64)
	if _, err := io.ReadFull(resp.Body, buf[:9]); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	_, err = resp.Body.Read(buf) // blocks: the server sends nothing more
	if !errors.Is(err, context.Canceled) {
		t.Errorf("read after cancel: %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancel took %v to unblock the read", d)
	}
	select {
	case <-gone:
	case <-time.After(time.Second):
		t.Fatal("the server did not see the request cancelled")
	}
}

func TestInlineDeadlineBeforeHeaders(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c := &http.Client{Transport: transport(t, nil)}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader("x"))
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatal("no error past the deadline")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want context.DeadlineExceeded", err)
	}
}

// recorder is a RoundTripper that records what it is handed.
type recorder struct{ urls []string }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.urls = append(r.urls, req.URL.String())
	return &http.Response{StatusCode: 299, Body: http.NoBody, Request: req}, nil
}

func TestInlineHandsOtherRequestsOn(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	tr := transport(t, &http.Transport{Proxy: func(r *http.Request) (*url.URL, error) {
		if r.URL.Hostname() == "proxied.example" {
			return url.Parse("http://proxy.example:3128")
		}
		return nil, nil
	}})
	tr.next = rec
	for _, u := range []string{"https://api.openai.com/v1/chat/completions", "http://proxied.example/v1/models"} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != 299 {
			t.Fatalf("%s: status %d, not the recorder's", u, resp.StatusCode)
		}
	}
	if len(rec.urls) != 2 {
		t.Errorf("handed on %v, want both requests", rec.urls)
	}
}

// closeRecorder records whether a request body was closed.
type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestInlineDialFailureClosesBody(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // nothing listens there now
	body := &closeRecorder{Reader: strings.NewReader("x")}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://"+addr+"/", body)
	if resp, err := transport(t, nil).RoundTrip(req); err == nil {
		resp.Body.Close()
		t.Fatal("no error dialing a closed port")
	}
	if !body.closed {
		t.Error("the request body was not closed")
	}
}

func TestInlineConcurrent(t *testing.T) {
	t.Parallel()
	srv, conns := server(t, echo)
	c := &http.Client{Transport: transport(t, nil)}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				body := fmt.Sprintf("%d-%d", g, i)
				req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/c", strings.NewReader(body))
				resp, err := c.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || string(b) != "POST /c "+body {
					t.Errorf("got %q, %v", b, err)
				}
			}
		})
	}
	wg.Wait()
	if n := conns.Load(); n > 8 {
		t.Errorf("8 clients opened %d connections", n)
	}
}
