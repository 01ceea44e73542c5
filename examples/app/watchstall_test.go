package app_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	"github.com/footingdev/footing/examples/adr"
	"github.com/footingdev/footing/examples/app"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
	"github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1/adrv1connect"
	"github.com/footingdev/footing/examples/internal/bearer"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

// closeWatcher is a listener whose connections report when the server closes them.
type closeWatcher struct {
	net.Listener
	mu     sync.Mutex
	closed map[string]chan struct{} // by the client's address
}

type watchedConn struct {
	net.Conn
	once sync.Once
	done chan struct{}
}

func (c *watchedConn) Close() error {
	c.once.Do(func() { close(c.done) })
	return c.Conn.Close()
}

func (l *closeWatcher) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	done, ok := l.closed[c.RemoteAddr().String()]
	if !ok {
		done = make(chan struct{})
		l.closed[c.RemoteAddr().String()] = done
	}
	return &watchedConn{Conn: c, done: done}, nil
}

// closedChan is closed when the server closes the connection from addr.
func (l *closeWatcher) closedChan(addr string) <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	done, ok := l.closed[addr]
	if !ok {
		done = make(chan struct{})
		l.closed[addr] = done
	}
	return done
}

// TestStalledWatchEndsAfterItsMaxAge: a WatchADRs whose client stops reading blocks its
// handler in a write, where WATCH_MAX_AGE is never checked: the stream, its goroutine,
// what it was sending and its place among the tenant's watches were held for as long
// as the connection lasted, past the maximum age that was to end every watch. Its
// writes now have a deadline of WATCH_MAX_AGE and a grace, and the stalled stream ends.
func TestStalledWatchEndsAfterItsMaxAge(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithMigrations(adr.Migrations()))
	issuer := authtest.NewIssuer()
	defer issuer.Close()
	cfg := app.Config{
		DatabaseURL: db.URL(rls.AppRole), RedisURL: redisURL(),
		Issuer: issuer.URL(), JWKSURL: issuer.JWKSURL(), Audience: authtest.DefaultAudience,
		PageTokenKey: base64.StdEncoding.EncodeToString([]byte(uuid.NewString() + uuid.NewString())),
		RateLimit:    100000, RateBurst: 100000, Workers: 1,
		// Long enough for the writes below to stall the stream before it would end by itself.
		WatchMaxAge: 8 * time.Second,
	}
	cfg.Server.DrainDelay = -1
	a, err := app.New(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &closeWatcher{Listener: inner, closed: map[string]chan struct{}{}}
	serveCtx, shutdown := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(serveCtx, ln) }()
	defer func() { shutdown(); <-served }()
	<-a.WatchReady()

	// The bound of a stream that never ends (the bug), not a timing assertion.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tenant := uuid.NewString()
	token := issuer.Mint(authtest.Claims{"tenant_id": tenant, "scope": "adr:read adr:write"})
	client := adrv1connect.NewADRServiceClient(http.DefaultClient, "http://"+inner.Addr().String(),
		connect.WithInterceptors(bearer.Token(token)))

	// A watch over a raw connection that reads its response headers and then nothing.
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", inner.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	closed := ln.closedChan(conn.LocalAddr().String())
	_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: adr\r\nContent-Type: application/connect+proto\r\n"+
		"Connect-Protocol-Version: 1\r\nAuthorization: Bearer %s\r\nContent-Length: 5\r\n\r\n\x00\x00\x00\x00\x00",
		adrv1connect.ADRServiceWatchADRsProcedure, token)
	if err != nil {
		t.Fatal(err)
	}
	// Its body is never read, nor closed (that would read it).
	res, err := http.ReadResponse(bufio.NewReaderSize(conn, 16), nil) //nolint:bodyclose // see above
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("raw watch: %v, %v", res, err)
	}
	// Changes of about 60 KB each, more than the connection's buffers hold: the handler
	// blocks writing one.
	big := newADR("big")
	big.Context, big.Decision, big.Consequences = strings.Repeat("c", 20000), strings.Repeat("d", 20000), strings.Repeat("e", 20000)
	for range 400 {
		if _, err := client.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: big})); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-closed:
	case <-ctx.Done():
		t.Fatal("a stalled watch was never ended: its handler still writes, long past WATCH_MAX_AGE")
	}
}
