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

// recordingListener notes when the server closes it.
type recordingListener struct {
	net.Listener
	ev     *events
	once   sync.Once
	closed chan struct{}
}

func (l *recordingListener) Close() error {
	err := l.Listener.Close() // closed first, so the event means the socket is gone
	l.once.Do(func() { l.ev.add("listener closed"); close(l.closed) })
	return err
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
	ln := &recordingListener{Listener: inner, ev: ev, closed: make(chan struct{})}
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
	err := server.Config{Addr: "nope", TLSCertFile: "x", IdleTimeout: -1}.Validate()
	for _, want := range []string{"ADDR", "TLS_KEY_FILE", "IDLE_TIMEOUT"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v; want it to report %s", err, want)
		}
	}
	if err := (server.Config{}).Validate(); err != nil {
		t.Errorf("zero Config: %v", err)
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
