package call

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A rawServer answers on loopback with bytes a script writes, for the cases
// net/http's server would not produce. It counts the connections it accepts
// and the requests it reads.
type rawServer struct {
	l        net.Listener
	conns    atomic.Int64
	requests atomic.Int64

	mu   sync.Mutex
	open []net.Conn
	wg   sync.WaitGroup
}

// A rawAnswer writes the answer to the request numbered n (from 1, across
// connections) that arrived on the connection numbered conn (from 1), and
// reports whether to keep the connection open for another request.
type rawAnswer func(w io.Writer, req *http.Request, body []byte, conn, n int) (keep bool)

func rawServe(t testing.TB, answer rawAnswer) *rawServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{l: l}
	s.wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conn := int(s.conns.Add(1))
			s.mu.Lock()
			s.open = append(s.open, c)
			s.mu.Unlock()
			s.wg.Go(func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					body, err := io.ReadAll(req.Body)
					if err != nil {
						return
					}
					n := int(s.requests.Add(1))
					if !answer(c, req, body, conn, n) {
						return
					}
				}
			})
		}
	})
	t.Cleanup(s.close)
	return s
}

func (s *rawServer) close() {
	_ = s.l.Close()
	s.mu.Lock()
	for _, c := range s.open {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *rawServer) url() string { return "http://" + s.l.Addr().String() }

// fixed answers every request with resp and keeps the connection open when
// keep is true.
func fixed(resp string, keep bool) rawAnswer {
	return func(w io.Writer, _ *http.Request, _ []byte, _, _ int) bool {
		_, _ = io.WriteString(w, resp)
		return keep
	}
}

// outcome is what a client sees of one request read to its end.
type outcome struct {
	status  int
	body    string
	trailer string
	err     bool
}

func (o outcome) String() string {
	return fmt.Sprintf("{%d %q trailer=%q err=%v}", o.status, o.body, o.trailer, o.err)
}

func roundTrip(ctx context.Context, rt http.RoundTripper, method, url, body string) outcome {
	var rb io.Reader
	if body != "" {
		rb = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rb)
	if err != nil {
		panic(err)
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return outcome{err: true}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return outcome{status: resp.StatusCode, body: string(b), trailer: resp.Trailer.Get("X-T"), err: err != nil}
}

// TestInlineLikeNetHTTP sends two requests, one after the other, to a server
// scripted byte for byte, through the inline transport and through net/http's,
// and wants the same answers, connections and requests seen by the server.
func TestInlineLikeNetHTTP(t *testing.T) {
	t.Parallel()
	ok := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	chunked := "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n" +
		"5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-T: tv\r\n\r\n"
	bigHeader := "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-A: "+strings.Repeat("a", 1000)+"\r\n", 11<<10) + "Content-Length: 2\r\n\r\nok"
	for _, tc := range []struct {
		name   string
		method string
		answer rawAnswer
	}{
		{"content-length", "POST", fixed(ok, true)},
		{"connection close", "POST", fixed("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", true)},
		// HTTP/1.0 without keep-alive: not reused although the server keeps it open.
		{"http/1.0", "POST", fixed("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", true)},
		{"http/1.0 keep-alive", "POST", fixed("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", true)},
		{"body until close", "POST", fixed("HTTP/1.1 200 OK\r\n\r\ndata: 1\n\ndata: 2\n\n", false)},
		{"chunked with trailer", "POST", fixed(chunked, true)},
		{"chunked byte by byte", "POST", func(w io.Writer, _ *http.Request, _ []byte, _, _ int) bool {
			for i := range len(chunked) {
				if _, err := io.WriteString(w, chunked[i:i+1]); err != nil {
					return false
				}
			}
			return true
		}},
		{"chunked split at CR LF", "POST", func(w io.Writer, _ *http.Request, _ []byte, _, _ int) bool {
			for part := range strings.SplitAfterSeq(chunked, "\r") {
				if _, err := io.WriteString(w, part); err != nil {
					return false
				}
				time.Sleep(time.Millisecond)
			}
			return true
		}},
		{"1xx before the response", "POST", fixed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"+ok, true)},
		{"204", "POST", fixed("HTTP/1.1 204 No Content\r\n\r\n", true)},
		{"304 with a length", "GET", fixed("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", true)},
		{"HEAD with a length", "HEAD", fixed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", true)},
		{"content-length 0", "POST", fixed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true)},
		{"error status", "POST", fixed("HTTP/1.1 429 Too Many Requests\r\nContent-Length: 4\r\n\r\nslow", true)},
		{"garbage status line", "POST", fixed("HTTP/1.1 abc\r\n\r\n", true)},
		{"not http", "POST", fixed("SSH-2.0-OpenSSH_9.6\r\n\r\n", true)},
		{"invalid chunk size", "POST", fixed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", true)},
		{"short body", "POST", fixed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", false)},
		{"closed before answering", "POST", fixed("", false)},
		{"GET closed before answering", "GET", fixed("", false)},
		{"headers over 10 MiB", "POST", fixed(bigHeader, true)},
		{"1xx forever", "POST", func(w io.Writer, _ *http.Request, _ []byte, _, _ int) bool {
			for range 11 << 10 {
				if _, err := io.WriteString(w, "HTTP/1.1 103 Early Hints\r\nLink: </"+strings.Repeat("a", 1000)+">\r\n\r\n"); err != nil {
					return false
				}
			}
			_, _ = io.WriteString(w, ok)
			return true
		}},
		{"extra bytes after the response", "POST", fixed(ok+"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale", true)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run := func(rt http.RoundTripper) (got [2]outcome, conns, requests int64) {
				s := rawServe(t, tc.answer)
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
				defer cancel()
				for i := range got {
					got[i] = roundTrip(ctx, rt, tc.method, s.url()+"/"+strconv.Itoa(i), "x")
				}
				if ctx.Err() != nil {
					t.Errorf("%T: no answer in 10s", rt)
				}
				s.close()
				return got, s.conns.Load(), s.requests.Load()
			}
			ref := &http.Transport{DisableCompression: true}
			defer ref.CloseIdleConnections()
			want, wantConns, wantReqs := run(ref)
			inl := transport(t, nil)
			got, conns, reqs := run(inl)
			if got != want || conns != wantConns || reqs != wantReqs {
				t.Errorf("inline: %v, %d connections, %d requests\nnet/http: %v, %d connections, %d requests",
					got, conns, reqs, want, wantConns, wantReqs)
			}
		})
	}
}

// TestInlineReplaysOnlyWhatNetHTTPReplays: the server reads the second request
// on the kept-alive connection and closes it without an answer, as one that
// timed the connection out just then. A GET is sent again on a new connection;
// a POST is not (the server may have acted on it); both as net/http does.
func TestInlineReplaysOnlyWhatNetHTTPReplays(t *testing.T) {
	t.Parallel()
	answer := func(w io.Writer, req *http.Request, body []byte, conn, n int) bool {
		if conn == 1 && n == 2 {
			if req.Header.Get("Partial") != "" { // the start of an answer: not a closed idle connection
				_, _ = io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-")
			}
			return false
		}
		_, _ = fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", len(body)+1)
		if req.Method != http.MethodHead {
			_, _ = fmt.Fprintf(w, "+%s", body)
		}
		return true
	}
	for _, tc := range []struct {
		name, method string
		header       string
		body         func() io.Reader
	}{
		{"GET", "GET", "", func() io.Reader { return nil }},
		{"GET answered in part", "GET", "Partial", func() io.Reader { return nil }},
		{"HEAD", "HEAD", "", func() io.Reader { return nil }},
		{"POST", "POST", "", func() io.Reader { return strings.NewReader("p") }},
		{"POST without GetBody", "POST", "Idempotency-Key", func() io.Reader { return io.MultiReader(strings.NewReader("p")) }},
		{"POST with Idempotency-Key", "POST", "Idempotency-Key", func() io.Reader { return strings.NewReader("p") }},
		{"PUT with X-Idempotency-Key", "PUT", "X-Idempotency-Key", func() io.Reader { return strings.NewReader("p") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run := func(rt http.RoundTripper) (got [2]outcome, conns, requests int64) {
				s := rawServe(t, answer)
				for i := range got {
					req, err := http.NewRequestWithContext(t.Context(), tc.method, s.url(), tc.body())
					if err != nil {
						t.Fatal(err)
					}
					if tc.header != "" {
						req.Header.Set(tc.header, "k1")
					}
					resp, err := rt.RoundTrip(req)
					if err != nil {
						got[i] = outcome{err: true}
						continue
					}
					b, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					got[i] = outcome{status: resp.StatusCode, body: string(b), err: err != nil}
				}
				s.close()
				return got, s.conns.Load(), s.requests.Load()
			}
			ref := &http.Transport{}
			defer ref.CloseIdleConnections()
			want, wantConns, wantReqs := run(ref)
			got, conns, reqs := run(transport(t, nil))
			if got != want || conns != wantConns || reqs != wantReqs {
				t.Errorf("inline: %v, %d connections, %d requests\nnet/http: %v, %d connections, %d requests",
					got, conns, reqs, want, wantConns, wantReqs)
			}
		})
	}
}

// TestInlineEarlyCloseDropsBufferedRest: the whole response is in the
// connection's buffer when the caller stops reading; the rest must not be read
// as the next answer.
func TestInlineEarlyCloseDropsBufferedRest(t *testing.T) {
	t.Parallel()
	s := rawServe(t, func(w io.Writer, _ *http.Request, body []byte, _, _ int) bool {
		if string(body) == "long" {
			_, _ = io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n0123456789HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale")
		} else {
			_, _ = io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh")
		}
		return true
	})
	tr := transport(t, nil)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.url(), strings.NewReader("long"))
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if got := roundTrip(t.Context(), tr, http.MethodPost, s.url(), "short"); got.body != "fresh" || got.err {
		t.Errorf("after closing a body early: %v, want fresh", got)
	}
	if n := s.conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2 (the early-closed one dropped)", n)
	}
}

// TestInlineBodyReadToEndReusesConnection: two requests read to their end go
// over one connection, whatever the framing.
func TestInlineBodyReadToEndReusesConnection(t *testing.T) {
	t.Parallel()
	s := rawServe(t, func(w io.Writer, _ *http.Request, _ []byte, _, n int) bool {
		if n%2 == 1 {
			_, _ = io.WriteString(w, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
		} else {
			_, _ = io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		}
		return true
	})
	tr := transport(t, nil)
	for range 4 {
		if got := roundTrip(t.Context(), tr, http.MethodPost, s.url(), "x"); got.body != "ok" {
			t.Fatalf("got %v", got)
		}
	}
	if n := s.conns.Load(); n != 1 {
		t.Errorf("4 requests read to their end opened %d connections, want 1", n)
	}
}

// TestInlineServerClosesBeforeAnswering: the server reads the request and
// closes the connection. The POST fails at once, is not sent again, and the
// error does not carry the API key.
func TestInlineServerClosesBeforeAnswering(t *testing.T) {
	t.Parallel()
	const key = "sk-secret-key-123"
	s := rawServe(t, fixed("", false))
	c := &http.Client{Transport: transport(t, nil)}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.url()+"/v1/chat/completions", strings.NewReader(`{"model":"m"}`))
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatal("no error")
	}
	if ctx.Err() != nil {
		t.Fatal("the client waited for the deadline")
	}
	if strings.Contains(err.Error(), key) {
		t.Errorf("the error carries the key: %v", err)
	}
	if n := s.requests.Load(); n != 1 {
		t.Errorf("the server read %d requests, want 1", n)
	}
}

// hold answers the requests of connection 1 after the first by signalling got
// and keeping the connection silent until the client closes it, then
// signalling closed; other requests get "ok". With headers false, the silent
// request gets no answer at all; with headers true, it gets headers and half a
// body.
func hold(headers bool, got, closed chan<- struct{}) rawAnswer {
	return func(w io.Writer, _ *http.Request, _ []byte, conn, n int) bool {
		if conn != 1 || n == 1 {
			_, _ = io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			return true
		}
		if headers {
			_, _ = io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf")
		}
		got <- struct{}{}
		c := w.(net.Conn)
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Read(make([]byte, 1)); errors.Is(err, io.EOF) {
			closed <- struct{}{}
		}
		return false
	}
}

// TestInlineCancel: cancelling the context while the server is silent, before
// the headers or in the body, returns at once with context.Canceled, closes the
// connection (the server sees it) and keeps nothing in the pool.
func TestInlineCancel(t *testing.T) {
	t.Parallel()
	for _, headers := range []bool{false, true} {
		t.Run(fmt.Sprintf("headers=%v", headers), func(t *testing.T) {
			t.Parallel()
			got, closed := make(chan struct{}, 1), make(chan struct{}, 1)
			s := rawServe(t, hold(headers, got, closed))
			tr := transport(t, nil)
			// The first request leaves the connection in the pool: the second
			// is sent on it.
			if got := roundTrip(t.Context(), tr, http.MethodPost, s.url(), "1"); got.body != "ok" {
				t.Fatal(got)
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.url(), strings.NewReader("2"))
			var start atomic.Int64
			go func() {
				<-got // the server has the request and is silent
				time.Sleep(10 * time.Millisecond)
				start.Store(time.Now().UnixNano())
				cancel()
			}()
			var err error
			if !headers {
				var resp *http.Response
				if resp, err = tr.RoundTrip(req); err == nil {
					resp.Body.Close()
				}
			} else {
				resp, rerr := tr.RoundTrip(req)
				if rerr != nil {
					t.Fatal(rerr)
				}
				defer resp.Body.Close()
				_, err = io.ReadAll(resp.Body)
			}
			if d := time.Since(time.Unix(0, start.Load())); d > time.Second {
				t.Errorf("returned %v after the cancel", d)
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error %v, want context.Canceled", err)
			}
			select {
			case <-closed:
			case <-time.After(5 * time.Second):
				t.Error("the server did not see the connection closed")
			}
			tr.mu.Lock()
			n := len(tr.idle[s.l.Addr().String()])
			tr.mu.Unlock()
			if n != 0 {
				t.Errorf("%d connections in the pool after a cancel", n)
			}
			if got := roundTrip(t.Context(), tr, http.MethodPost, s.url(), "3"); got.body != "ok" || s.conns.Load() != 2 {
				t.Errorf("after the cancel: %v on %d connections, want ok on 2", got, s.conns.Load())
			}
		})
	}
}

// TestInlineExpiredContextSendsNothing: a request whose deadline has passed is
// neither dialed nor sent on a kept-alive connection.
func TestInlineExpiredContextSendsNothing(t *testing.T) {
	t.Parallel()
	s := rawServe(t, fixed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true))
	tr := transport(t, nil)
	ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel()
	for i, wantConns := range []int64{0, 1} {
		if i == 1 { // now with a connection in the pool
			if got := roundTrip(t.Context(), tr, http.MethodPost, s.url(), "x"); got.body != "ok" {
				t.Fatal(got)
			}
		}
		body := &closeRecorder{Reader: strings.NewReader("x")}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.url(), body)
		resp, err := tr.RoundTrip(req)
		if err == nil {
			resp.Body.Close()
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v, want context.DeadlineExceeded", err)
		}
		if !body.closed {
			t.Error("the request body was not closed")
		}
		time.Sleep(50 * time.Millisecond) // for a request wrongly sent to arrive
		s.close()                         // waits for the server to have read what was sent
		if c, r := s.conns.Load(), s.requests.Load(); c != wantConns || r != wantConns {
			t.Errorf("%d connections, %d requests; want %d, %d", c, r, wantConns, wantConns)
		}
		s = rawServe(t, fixed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true))
		tr.CloseIdleConnections()
	}
}

// TestInlineRequestBodySentOnce: the body goes out once, with its length.
func TestInlineRequestBodySentOnce(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []string
	s := rawServe(t, func(w io.Writer, req *http.Request, body []byte, _, _ int) bool {
		mu.Lock()
		seen = append(seen, fmt.Sprintf("%s %s %q %v", req.Header.Get("Content-Length"), req.TransferEncoding, body, req.Close))
		mu.Unlock()
		_, _ = io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		return true
	})
	tr := transport(t, nil)
	payload := strings.Repeat("é", 100<<10)
	if got := roundTrip(t.Context(), tr, http.MethodPost, s.url(), payload); got.body != "ok" {
		t.Fatal(got)
	}
	// A body of unknown length goes chunked.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.url(), io.MultiReader(strings.NewReader("ab"), strings.NewReader("c")))
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	s.close()
	want := []string{fmt.Sprintf("%d [] %q false", len(payload), payload), ` [chunked] "abc" false`}
	if len(seen) != 2 || seen[0] != want[0] || seen[1] != want[1] {
		t.Errorf("the server saw %.200q, want %.200q", seen, want)
	}
	if n := s.conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// TestInlineConcurrentNoCrossTalk: 50 goroutines on one host, each answer the
// echo of its own request, the pool never over its bound. The first 50
// requests are held until all have arrived: 50 connections at once.
func TestInlineConcurrentNoCrossTalk(t *testing.T) {
	t.Parallel()
	const goroutines = 50
	var arrived atomic.Int64
	all := make(chan struct{})
	s := rawServe(t, func(w io.Writer, req *http.Request, body []byte, _, n int) bool {
		if n <= goroutines {
			if arrived.Add(1) == goroutines {
				close(all)
			}
			select {
			case <-all:
			case <-time.After(10 * time.Second):
			}
		}
		if n%7 == 0 { // some connections end after their answer
			_, _ = fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s%s", len(body)+len(req.URL.Path), body, req.URL.Path)
			return false
		}
		if n%3 == 0 { // chunked in pieces
			_, _ = fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", len(body), body)
			_, _ = fmt.Fprintf(w, "%x\r\n%s\r\n0\r\n\r\n", len(req.URL.Path), req.URL.Path)
		} else {
			_, _ = fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s%s", len(body)+len(req.URL.Path), body, req.URL.Path)
		}
		return true
	})
	tr := transport(t, &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute})
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range 20 {
				id := fmt.Sprintf("%d-%d", g, i)
				var got outcome
				if i%5 == 1 { // stop reading early now and then
					req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.url()+"/"+id, strings.NewReader(id))
					resp, err := tr.RoundTrip(req)
					if err != nil {
						t.Error(err)
						return
					}
					_, _ = resp.Body.Read(make([]byte, 1))
					resp.Body.Close()
					continue
				}
				got = roundTrip(t.Context(), tr, http.MethodPost, s.url()+"/"+id, id)
				if got.err || got.body != id+"/"+id {
					t.Errorf("request %s got %v", id, got)
				}
				tr.mu.Lock()
				n := len(tr.idle[s.l.Addr().String()])
				tr.mu.Unlock()
				if n > 4 {
					t.Errorf("%d idle connections, over the bound of 4", n)
				}
			}
		})
	}
	wg.Wait()
	if c := s.conns.Load(); c < goroutines {
		t.Errorf("%d connections, want at least %d", c, goroutines)
	}
}

// TestInlineClosesExpiredIdleConnections: connections idle for IdleConnTimeout
// are closed even when no request comes to take them, here the older of two
// left by a burst while later requests keep using the newer.
func TestInlineClosesExpiredIdleConnections(t *testing.T) {
	t.Parallel()
	closed := make(chan struct{}, 8)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(echo))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateClosed {
			closed <- struct{}{}
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	tr := transport(t, &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: 100 * time.Millisecond})
	// Two requests at once leave two connections in the pool.
	req1, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
	req2, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
	resp1, err := tr.RoundTrip(req1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp1.Body.Close()
	resp2, err := tr.RoundTrip(req2)
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	for _, r := range []*http.Response{resp1, resp2} {
		_, _ = io.Copy(io.Discard, r.Body)
	}
	// Requests every 20 ms take the newer connection; the older must still go.
	deadline := time.After(5 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for n := 0; n < 1; {
		select {
		case <-closed:
			n++
		case <-tick.C:
			if got := roundTrip(t.Context(), tr, http.MethodGet, srv.URL, ""); got.err {
				t.Fatal(got)
			}
		case <-deadline:
			t.Fatal("an idle connection was not closed after its IdleConnTimeout")
		}
	}
	// Without requests, the last goes too.
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the last idle connection was not closed after its IdleConnTimeout")
	}
	// A stall longer than the timeout can expire both connections in the loop above,
	// and a tick after that dials a third; the pool must be empty once it expires too.
	for wait := time.Now().Add(5 * time.Second); ; {
		tr.mu.Lock()
		n := len(tr.idle)
		tr.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(wait) {
			t.Fatalf("%d idle connections left in the pool after their IdleConnTimeout", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
