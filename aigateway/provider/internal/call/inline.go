package call

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// An inlineTransport sends plain-HTTP/1.1 requests on the caller's goroutine: it
// writes the request and reads the response headers and body on the goroutine
// that calls RoundTrip and Read, over connections it keeps alive itself.
//
// net/http's Transport gives every connection a writing and a reading goroutine,
// and hands each request and each response between them and the caller over
// channels: three goroutine wake-ups per request, each a few microseconds on a
// busy machine, on the path of a streamed answer's first chunk. Here the only
// extra work per request is one non-blocking peek at a reused connection, to
// drop it when the server closed it while it was idle (net/http's reading
// goroutine notices that as it happens).
//
// Everything else — https (HTTP/2 and TLS), requests that go through a proxy,
// platforms without the peek — goes to next.
//
// Cancellation works as in net/http: when the request's context ends, the
// connection is closed (context.AfterFunc; no goroutine until then), so a
// blocked write or read returns at once with the context's error and the
// server sees its request cancelled. Closing a body before its end closes the
// connection; a body read to its end gives the connection back to the pool.
// POST requests are never re-sent. As in net/http, a request that may be
// replayed (GET, HEAD, OPTIONS, TRACE or one with an Idempotency-Key, whose body
// is empty or has GetBody) is sent again on another connection when a reused
// one failed before the server answered a byte: the server closed it while it
// was idle, in the moment between the peek and the request reaching it.
//
// As in net/http, the response headers (with any 1xx answers before them) may
// take at most MaxResponseHeaderBytes (10 MiB when unset).
type inlineTransport struct {
	next        http.RoundTripper
	proxy       func(*http.Request) (*url.URL, error)
	dial        func(ctx context.Context, network, addr string) (net.Conn, error)
	maxIdle     int           // per host
	maxHeader   int64         // bytes of response headers, 1xx answers included
	idleTimeout time.Duration // an idle connection older than this is closed, not reused

	mu    sync.Mutex
	idle  map[string][]*inlineConn // per host, the most recently idle last
	sweep *time.Timer              // while connections are idle: closes those idle for idleTimeout
}

// newInlineTransport returns an inlineTransport that hands what it does not
// serve to next.
// It dials, proxies and keeps idle connections as next is configured to.
func newInlineTransport(next *http.Transport) *inlineTransport {
	t := &inlineTransport{
		next:        next,
		proxy:       next.Proxy,
		dial:        next.DialContext,
		maxIdle:     next.MaxIdleConnsPerHost,
		idleTimeout: next.IdleConnTimeout,
		maxHeader:   next.MaxResponseHeaderBytes,
		idle:        map[string][]*inlineConn{},
	}
	if t.dial == nil {
		t.dial = (&net.Dialer{}).DialContext
	}
	if t.maxIdle <= 0 {
		t.maxIdle = http.DefaultMaxIdleConnsPerHost
	}
	if t.maxHeader <= 0 {
		t.maxHeader = 10 << 20 // net/http's default
	}
	return t
}

type inlineConn struct {
	c      net.Conn
	r      limitedConn // what br reads from
	br     *bufio.Reader
	bw     *bufio.Writer
	addr   string
	idleAt time.Time
	reused bool // it served a request before this one
}

// A limitedConn reads from c at most n more bytes, as net/http's persistConn
// does while it reads response headers.
type limitedConn struct {
	c net.Conn
	n int64
}

func (l *limitedConn) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errHeaderLimit
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.c.Read(p)
	l.n -= int64(n)
	return n, err
}

var errHeaderLimit = errors.New("call: read limit exhausted")

// RoundTrip implements http.RoundTripper.
func (t *inlineTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.serves(req) {
		return t.next.RoundTrip(req)
	}
	ctx := req.Context()
	addr := hostPort(req.URL)
	for {
		// As net/http: a request whose context has ended is not sent, not even
		// on a connection kept alive.
		if err := ctx.Err(); err != nil {
			closeBody(req)
			return nil, err
		}
		pc, err := t.get(ctx, addr)
		if err != nil {
			closeBody(req)
			return nil, err
		}
		resp, err := t.roundTrip(ctx, pc, req)
		if err == nil {
			return resp, nil
		}
		// Nothing came back on a connection kept alive: the server most likely
		// closed it while it was idle. Send the request again on another if it
		// may be replayed, as net/http does; never a POST without GetBody and
		// an Idempotency-Key.
		if !pc.reused || pc.r.n != t.maxHeader || ctx.Err() != nil || !replayable(req) {
			return nil, err
		}
		if req.Body != nil && req.Body != http.NoBody {
			body, gerr := req.GetBody()
			if gerr != nil {
				return nil, err
			}
			r := *req
			r.Body = body
			req = &r
		}
	}
}

// replayable reports whether req may be sent again after a failure: net/http's
// rule.
func replayable(req *http.Request) bool {
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return false
	}
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	_, ok := req.Header["Idempotency-Key"]
	_, xok := req.Header["X-Idempotency-Key"]
	return ok || xok
}

// roundTrip sends req on pc and reads the response headers.
func (t *inlineTransport) roundTrip(ctx context.Context, pc *inlineConn, req *http.Request) (*http.Response, error) {
	stop := context.AfterFunc(ctx, func() { _ = pc.c.Close() })
	fail := func(err error) (*http.Response, error) {
		stop()
		_ = pc.c.Close()
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		if pc.r.n <= 0 {
			return nil, fmt.Errorf("call: server response headers exceeded %d bytes; aborted", t.maxHeader)
		}
		return nil, err
	}
	pc.r.n = t.maxHeader
	// Request.Write closes the body, whatever happens.
	if err := req.Write(pc.bw); err != nil {
		return fail(err)
	}
	if err := pc.bw.Flush(); err != nil {
		return fail(err)
	}
	var resp *http.Response
	for {
		var err error
		resp, err = http.ReadResponse(pc.br, req)
		if err != nil {
			return fail(err)
		}
		// 1xx answers are informational; the response follows (as net/http
		// does). They count against the header limit.
		if resp.StatusCode < 100 || resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
	}
	if resp.StatusCode == http.StatusSwitchingProtocols {
		return fail(errors.New("call: unexpected 101 Switching Protocols"))
	}
	pc.r.n = math.MaxInt64 // no limit on the body
	b := &inlineBody{t: t, pc: pc, ctx: ctx, stop: stop, body: resp.Body, reuse: !resp.Close && !req.Close}
	if resp.Body == http.NoBody {
		b.release()
		return resp, nil
	}
	resp.Body = b
	return resp, nil
}

// serves reports whether req is a plain-HTTP request that goes to its host
// directly.
func (t *inlineTransport) serves(req *http.Request) bool {
	if req.URL == nil || req.URL.Scheme != "http" || req.URL.Host == "" || req.Method == http.MethodConnect {
		return false
	}
	if t.proxy != nil {
		if u, err := t.proxy(req); err != nil || u != nil {
			return false
		}
	}
	return true
}

func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	return net.JoinHostPort(u.Hostname(), "80")
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// get returns the most recently idle connection to addr that the server has not
// closed, or a new one.
func (t *inlineTransport) get(ctx context.Context, addr string) (*inlineConn, error) {
	now := time.Now()
	t.mu.Lock()
	for list := t.idle[addr]; len(list) > 0; list = t.idle[addr] {
		pc := list[len(list)-1]
		list[len(list)-1] = nil
		t.idle[addr] = list[:len(list)-1]
		t.mu.Unlock()
		if (t.idleTimeout <= 0 || now.Sub(pc.idleAt) < t.idleTimeout) && pc.br.Buffered() == 0 && alive(pc.c) {
			pc.reused = true
			return pc, nil
		}
		_ = pc.c.Close()
		t.mu.Lock()
	}
	t.mu.Unlock()
	c, err := t.dial(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	pc := &inlineConn{c: c, r: limitedConn{c: c, n: math.MaxInt64}, bw: bufio.NewWriter(c), addr: addr}
	pc.br = bufio.NewReader(&pc.r)
	return pc, nil
}

// put keeps pc for the next request to its host, or closes it when enough are
// kept already.
func (t *inlineTransport) put(pc *inlineConn) {
	pc.idleAt = time.Now()
	t.mu.Lock()
	if len(t.idle[pc.addr]) < t.maxIdle {
		t.idle[pc.addr] = append(t.idle[pc.addr], pc)
		pc = nil
		if t.sweep == nil && t.idleTimeout > 0 {
			t.sweep = time.AfterFunc(t.idleTimeout, t.closeExpired)
		}
	}
	t.mu.Unlock()
	if pc != nil {
		_ = pc.c.Close()
	}
}

// closeExpired closes the connections idle for idleTimeout or more, as
// net/http does: get takes the most recent, so without it the older ones of a
// burst would stay open (in CLOSE_WAIT once the server gave up on them) for as
// long as the transport lives. It runs again when the next one expires.
func (t *inlineTransport) closeExpired() {
	now := time.Now()
	var expired []*inlineConn
	next := time.Duration(-1)
	t.mu.Lock()
	for addr, list := range t.idle {
		i := 0
		for i < len(list) && now.Sub(list[i].idleAt) >= t.idleTimeout {
			i++
		}
		expired = append(expired, list[:i]...)
		if i == len(list) {
			delete(t.idle, addr)
			continue
		}
		list = slices.Delete(list, 0, i)
		t.idle[addr] = list
		if d := t.idleTimeout - now.Sub(list[0].idleAt); next < 0 || d < next {
			next = d
		}
	}
	switch {
	case next < 0:
		t.sweep = nil
	case t.sweep == nil:
		t.sweep = time.AfterFunc(next, t.closeExpired)
	default:
		t.sweep.Reset(next)
	}
	t.mu.Unlock()
	for _, pc := range expired {
		_ = pc.c.Close()
	}
}

// CloseIdleConnections closes the connections kept for reuse, and next's.
func (t *inlineTransport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = map[string][]*inlineConn{}
	if t.sweep != nil {
		t.sweep.Stop()
		t.sweep = nil
	}
	t.mu.Unlock()
	for _, list := range idle {
		for _, pc := range list {
			_ = pc.c.Close()
		}
	}
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// errBodyClosed is what a read after Close returns, as net/http's.
var errBodyClosed = errors.New("http: read on closed response body")

// An inlineBody is a response body read on the caller's goroutine. Read to its
// end, it gives its connection back; closed before, it closes it.
type inlineBody struct {
	t     *inlineTransport
	pc    *inlineConn
	ctx   context.Context
	stop  func() bool
	body  io.ReadCloser // net/http's body reader over pc.br; never closed (that would drain it)
	reuse bool

	mu    sync.Mutex
	state int // 0 open, 1 read to its end, 2 closed
}

func (b *inlineBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	state := b.state
	b.mu.Unlock()
	switch state {
	case 1:
		return 0, io.EOF
	case 2:
		return 0, errBodyClosed
	}
	n, err := b.body.Read(p)
	if err == nil {
		return n, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == 2 {
		return n, errBodyClosed
	}
	if errors.Is(err, io.EOF) {
		b.state = 1
		b.release()
		return n, io.EOF
	}
	b.state = 2
	b.stop()
	_ = b.pc.c.Close()
	if ctxErr := b.ctx.Err(); ctxErr != nil {
		err = ctxErr
	}
	return n, err
}

// release gives the connection back when it may carry another request and the
// context's watcher has not closed it.
func (b *inlineBody) release() {
	if b.stop() && b.reuse {
		b.t.put(b.pc)
		return
	}
	_ = b.pc.c.Close()
}

// Close closes the connection unless the body was read to its end. It is safe
// to call concurrently with Read, which it interrupts.
func (b *inlineBody) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == 0 {
		b.state = 2
		b.stop()
		_ = b.pc.c.Close()
	}
	return nil
}
