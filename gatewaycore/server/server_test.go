package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.uber.org/goleak"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"

	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/gatewaycore/server"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// events records what happened, in order.
type events struct {
	mu  sync.Mutex
	got []string
}

func (e *events) add(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.got = append(e.got, s)
}

func (e *events) list() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.got)
}

func (e *events) SetReady(ready bool) {
	if !ready {
		e.add("readiness off")
	}
}

// recordingListener notes when the server closes it, as "<name> closed".
type recordingListener struct {
	net.Listener
	name   string
	ev     *events
	once   sync.Once
	closed chan struct{}
}

func (l *recordingListener) Close() error {
	err := l.Listener.Close() // closed first, so the event means the socket is gone
	l.once.Do(func() { l.ev.add(l.name + " closed"); close(l.closed) })
	return err
}

func listen(t *testing.T, name string, ev *events) *recordingListener {
	t.Helper()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return &recordingListener{Listener: inner, name: name, ev: ev, closed: make(chan struct{})}
}

// slowService holds Check and Watch open until release is closed.
type slowService struct {
	healthv1connect.UnimplementedHealthHandler
	started chan string
	release chan struct{}
}

func (s *slowService) Check(_ context.Context, req *connect.Request[healthv1.HealthCheckRequest]) (*connect.Response[healthv1.HealthCheckResponse], error) {
	s.started <- "unary " + req.Peer().Protocol
	<-s.release
	return connect.NewResponse(&healthv1.HealthCheckResponse{Status: healthv1.HealthCheckResponse_SERVING}), nil
}

func (s *slowService) Watch(_ context.Context, _ *connect.Request[healthv1.HealthCheckRequest], stream *connect.ServerStream[healthv1.HealthCheckResponse]) error {
	if err := stream.Send(&healthv1.HealthCheckResponse{Status: healthv1.HealthCheckResponse_SERVING}); err != nil {
		return err
	}
	s.started <- "stream"
	<-s.release
	return stream.Send(&healthv1.HealthCheckResponse{Status: healthv1.HealthCheckResponse_NOT_SERVING})
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func h2cClient() *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: &p}}
}

func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	ev := &events{}
	svc := &slowService{started: make(chan string, 2), release: make(chan struct{})}
	mux := http.NewServeMux()
	mux.Handle(healthv1connect.NewHealthHandler(svc))
	var protoMu sync.Mutex
	var protos []int
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		protoMu.Lock()
		protos = append(protos, r.ProtoMajor)
		protoMu.Unlock()
		mux.ServeHTTP(w, r)
	})
	srv, err := server.New(server.Config{DrainDelay: time.Millisecond, ShutdownTimeout: time.Minute}, handler,
		server.WithReadiness(ev), server.WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	srv.OnShutdown("pool", func(context.Context) error { ev.add("close pool"); return nil })
	srv.OnShutdown("telemetry", func(context.Context) error { ev.add("close telemetry"); return nil })

	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &recordingListener{Listener: inner, name: "listener", ev: ev, closed: make(chan struct{})}
	addr := inner.Addr().String()
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	httpClient := h2cClient()
	defer httpClient.CloseIdleConnections()
	client := healthv1connect.NewHealthClient(httpClient, "http://"+addr, connect.WithGRPC())

	unary := make(chan error, 1)
	go func() {
		res, err := client.Check(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{}))
		if err == nil && res.Msg.GetStatus() != healthv1.HealthCheckResponse_SERVING {
			err = errors.New("wrong status")
		}
		unary <- err
	}()
	stream, err := client.Watch(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if !stream.Receive() {
		t.Fatalf("stream: %v", stream.Err())
	}
	<-svc.started
	<-svc.started

	stop() // as SIGTERM would
	<-ln.closed
	// The listener is closed: new connections are refused.
	if c, err := net.Dial("tcp", addr); err == nil {
		_ = c.Close()
		t.Fatal("a new connection was accepted after the listener closed")
	}
	ev.add("handlers released")
	close(svc.release)

	if err := <-unary; err != nil {
		t.Fatalf("in-flight unary call: %v", err)
	}
	if !stream.Receive() || stream.Msg().GetStatus() != healthv1.HealthCheckResponse_NOT_SERVING {
		t.Fatalf("open stream did not finish its messages: %v", stream.Err())
	}
	if stream.Receive() || stream.Err() != nil {
		t.Fatalf("stream did not end cleanly: %v", stream.Err())
	}
	_ = stream.Close()
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	want := []string{"readiness off", "listener closed", "handlers released", "close telemetry", "close pool"}
	if got := ev.list(); !slices.Equal(got, want) {
		t.Fatalf("events %q, want %q", got, want)
	}
	protoMu.Lock()
	defer protoMu.Unlock()
	for _, p := range protos {
		if p != 2 {
			t.Fatalf("request served over HTTP/%d; want h2c", p)
		}
	}
}

func TestShutdownDeadline(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done() // a handler that only stops when told
	})
	srv, err := server.New(server.Config{DrainDelay: -1, ShutdownTimeout: 20 * time.Millisecond}, handler, server.WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	srv.OnShutdown("db", func(context.Context) error { closed = true; return errors.New("db close failed") })
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
	err = <-served
	if err == nil || !strings.Contains(err.Error(), "did not finish") || !strings.Contains(err.Error(), "closing db") || !closed {
		t.Fatalf("Serve = %v; want the deadline and the closer's failure reported", err)
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t)
	srv, err := server.New(server.Config{TLSCertFile: certFile, TLSKeyFile: keyFile, DrainDelay: -1},
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, r.Proto) }),
		server.WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, ForceAttemptHTTP2: true}
	client := &http.Client{Transport: tr}
	req, _ := http.NewRequest(http.MethodGet, "https://"+ln.Addr().String()+"/", nil)
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	tr.CloseIdleConnections()
	stop()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if string(body) != "HTTP/2.0" {
		t.Fatalf("served %s; want HTTP/2.0 over TLS", body)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	err := server.Config{Addr: "nope", AdminAddr: "also-nope", TLSCertFile: "x", IdleTimeout: -1}.Validate()
	for _, want := range []string{`ADDR "nope"`, `ADMIN_ADDR "also-nope"`, "TLS_KEY_FILE", "IDLE_TIMEOUT"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v; want it to report %s", err, want)
		}
	}
	for _, c := range []server.Config{
		{AdminAddr: "127.0.0.1:8080"}, // the default ADDR
		{Addr: ":9000", AdminAddr: "127.0.0.1:9000"},
		{Addr: "10.0.0.1:9000", AdminAddr: "0.0.0.0:9000"},
	} {
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "ADMIN_ADDR") || !strings.Contains(err.Error(), "differ from ADDR") {
			t.Errorf("%+v: Validate() = %v; want ADMIN_ADDR reported as the same as ADDR", c, err)
		}
	}
	for _, c := range []server.Config{
		{},
		{AdminAddr: "127.0.0.1:9090"},
		{Addr: "127.0.0.1:0", AdminAddr: "127.0.0.1:0"},
		{Addr: "10.0.0.1:9000", AdminAddr: "127.0.0.1:9000"},
	} {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

// TestAdminListener: the admin listener serves its own handler (h2c too), not the
// main one, and the main one does not serve it; during a shutdown it still answers
// while the main listener is closed and its last requests finish, and closes after
// them, before the closers.
func TestAdminListener(t *testing.T) {
	t.Parallel()
	ev := &events{}
	started, release := make(chan struct{}, 1), make(chan struct{})
	mainMux := http.NewServeMux()
	mainMux.HandleFunc("/slow", func(w http.ResponseWriter, _ *http.Request) {
		started <- struct{}{}
		<-release
		_, _ = io.WriteString(w, "slow done")
	})
	adminMux := http.NewServeMux()
	adminMux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "metrics "+r.Proto) })
	srv, err := server.New(server.Config{DrainDelay: time.Millisecond, ShutdownTimeout: time.Minute}, mainMux,
		server.WithAdmin(adminMux), server.WithReadiness(ev), server.WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	srv.OnShutdown("pool", func(context.Context) error { ev.add("close pool"); return nil })
	ln, admin := listen(t, "listener", ev), listen(t, "admin listener", ev)
	mainURL, adminURL := "http://"+ln.Addr().String(), "http://"+admin.Addr().String()
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.ServeWithAdmin(ctx, ln, admin) }()

	client := h2cClient()
	defer client.CloseIdleConnections()
	get := func(url string) (int, string, error) {
		res, err := client.Get(url) //nolint:noctx // test
		if err != nil {
			return 0, "", err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return res.StatusCode, string(b), err
	}
	if code, body, err := get(adminURL + "/metrics"); err != nil || code != http.StatusOK || body != "metrics HTTP/2.0" {
		t.Fatalf("admin /metrics: %d %q %v; want 200 over h2c", code, body, err)
	}
	if code, _, err := get(mainURL + "/metrics"); err != nil || code != http.StatusNotFound {
		t.Fatalf("main /metrics: %d %v; want 404", code, err)
	}
	if code, _, err := get(adminURL + "/slow"); err != nil || code != http.StatusNotFound {
		t.Fatalf("admin /slow: %d %v; want 404", code, err)
	}

	slow := make(chan string, 1)
	go func() {
		_, body, err := get(mainURL + "/slow")
		if err != nil {
			body = err.Error()
		}
		slow <- body
	}()
	<-started
	stop() // as SIGTERM would
	<-ln.closed
	// The main listener is closed and a request is still in flight: the admin one answers.
	if code, body, err := get(adminURL + "/metrics"); err != nil || code != http.StatusOK {
		t.Fatalf("admin /metrics during the drain: %d %q %v", code, body, err)
	}
	ev.add("admin answered")
	select {
	case <-admin.closed:
		t.Fatal("the admin listener closed before the main one drained")
	default:
	}
	ev.add("handlers released")
	close(release)
	if body := <-slow; body != "slow done" {
		t.Fatalf("in-flight request: %q", body)
	}
	if err := <-served; err != nil {
		t.Fatalf("ServeWithAdmin: %v", err)
	}
	for _, addr := range []string{ln.Addr().String(), admin.Addr().String()} {
		if c, err := net.Dial("tcp", addr); err == nil {
			_ = c.Close()
			t.Fatalf("%s accepts connections after the shutdown", addr)
		}
	}
	want := []string{"readiness off", "listener closed", "admin answered", "handlers released", "admin listener closed", "close pool"}
	if got := ev.list(); !slices.Equal(got, want) {
		t.Fatalf("events %q, want %q", got, want)
	}
}

// TestListenFailuresNameTheVariable: an address already in use fails Run, or
// Serve for ADMIN_ADDR, with an error naming the variable.
func TestListenFailuresNameTheVariable(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	admin := http.NotFoundHandler()
	newServer := func(cfg server.Config) *server.Server {
		t.Helper()
		cfg.DrainDelay = -1
		srv, err := server.New(cfg, http.NotFoundHandler(), server.WithAdmin(admin), server.WithLogger(quietLogger()))
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	ctx := context.Background()
	if err := newServer(server.Config{Addr: taken.Addr().String()}).Run(ctx); err == nil ||
		!strings.Contains(err.Error(), "ADDR "+taken.Addr().String()) || strings.Contains(err.Error(), "ADMIN_ADDR") {
		t.Errorf("Run on a taken ADDR: %v", err)
	}
	if err := newServer(server.Config{Addr: "127.0.0.1:0", AdminAddr: taken.Addr().String()}).Run(ctx); err == nil ||
		!strings.Contains(err.Error(), "ADMIN_ADDR "+taken.Addr().String()) {
		t.Errorf("Run on a taken ADMIN_ADDR: %v", err)
	}
	srv := newServer(server.Config{AdminAddr: taken.Addr().String()})
	closed := false
	srv.OnShutdown("db", func(context.Context) error { closed = true; return nil })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Serve(ctx, ln); err == nil || !strings.Contains(err.Error(), "ADMIN_ADDR "+taken.Addr().String()) || !closed {
		t.Errorf("Serve with a taken ADMIN_ADDR: %v (closers run: %v)", err, closed)
	}
	if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		_ = c.Close()
		t.Error("Serve left its listener open after failing")
	}
	if _, err := server.New(server.Config{AdminAddr: "127.0.0.1:0"}, http.NotFoundHandler()); err == nil || !strings.Contains(err.Error(), "ADMIN_ADDR") {
		t.Errorf("New with ADMIN_ADDR and no admin handler: %v", err)
	}
}

// TestServeListensOnAdminAddr: Serve, given only the main listener, listens on
// ADMIN_ADDR itself and stops it at shutdown.
func TestServeListensOnAdminAddr(t *testing.T) {
	t.Parallel()
	probe, err := net.Listen("tcp", "127.0.0.1:0") // a free port, released for the server
	if err != nil {
		t.Fatal(err)
	}
	adminAddr := probe.Addr().String()
	_ = probe.Close()
	srv, err := server.New(server.Config{AdminAddr: adminAddr, DrainDelay: -1}, http.NotFoundHandler(),
		server.WithAdmin(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "admin") })),
		server.WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	var body []byte
	for range 200 { // Serve listens in its goroutine: wait for it, generously.
		res, err := client.Get("http://" + adminAddr + "/") //nolint:noctx // test
		if err == nil {
			body, _ = io.ReadAll(res.Body)
			_ = res.Body.Close()
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	stop()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if string(body) != "admin" {
		t.Fatalf("admin listener on ADMIN_ADDR answered %q", body)
	}
	if c, err := net.Dial("tcp", adminAddr); err == nil {
		_ = c.Close()
		t.Fatal("ADMIN_ADDR accepts connections after the shutdown")
	}
}

func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
