package observability_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/observability"
)

// selfSigned is a self-signed certificate for 127.0.0.1, written to PEM files.
type selfSigned struct {
	pair              tls.Certificate
	pool              *x509.CertPool
	certFile, keyFile string
	certPEM, keyPEM   []byte
}

func newSelfSigned(t *testing.T, name string) selfSigned {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	s := selfSigned{
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}),
	}
	if s.pair, err = tls.X509KeyPair(s.certPEM, s.keyPEM); err != nil {
		t.Fatal(err)
	}
	s.pool = x509.NewCertPool()
	s.pool.AppendCertsFromPEM(s.certPEM)
	dir := t.TempDir()
	s.certFile, s.keyFile = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+"-key.pem")
	writeFile(t, s.certFile, s.certPEM)
	writeFile(t, s.keyFile, s.keyPEM)
	return s
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// startHTTPSReceiver serves rc over TLS with server's certificate, requiring
// a client certificate that client signed.
func startHTTPSReceiver(t *testing.T, rc *receiver, server, client selfSigned) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(rc)
	srv.TLS = &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{server.pair},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    client.pool,
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // failed handshakes
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestOTLPOverHTTPSFromConfigEnv reads the collector's CA, the client
// certificate and key and the compression through Config.Getenv, as every
// other variable: the export reaches a receiver that only a client trusting
// its self-signed certificate and presenting the client certificate can
// reach, gzipped.
func TestOTLPOverHTTPSFromConfigEnv(t *testing.T) {
	t.Parallel()
	server, client := newSelfSigned(t, "collector"), newSelfSigned(t, "client")
	rc := &receiver{}
	url := startHTTPSReceiver(t, rc, server, client)
	tel, err := observability.New(context.Background(), observability.Config{
		Getenv: envOf(map[string]string{
			"OTEL_EXPORTER_OTLP_ENDPOINT":                  url,
			"OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE":        server.certFile,
			"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE":        client.certFile,
			"OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY":         client.keyFile,
			"OTEL_EXPORTER_OTLP_COMPRESSION":               "GZIP",
			"OTEL_EXPORTER_OTLP_TRACES_INSECURE":           "false",
			"OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE": client.certFile,
		}),
		LogWriter: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, span := tel.TracerProvider().Tracer("t").Start(context.Background(), "over-tls")
	span.End()
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans, _ := rc.spans()
	if len(spans) != 1 || spans[0].GetName() != "over-tls" {
		t.Fatalf("receiver got %d spans, want the one over TLS", len(spans))
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if enc := rc.headers[0].Get("Content-Encoding"); enc != "gzip" {
		t.Fatalf("export Content-Encoding %q, want gzip", enc)
	}
}

// TestExporterIgnoresProcessEnvironment sets the process environment to
// values that Config.Getenv contradicts: the exporter must use the latter
// (the OTLP exporters read the process environment themselves). It is not
// parallel: it changes the process environment.
func TestExporterIgnoresProcessEnvironment(t *testing.T) {
	other := newSelfSigned(t, "elsewhere")
	t.Setenv("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip")
	t.Setenv("OTEL_EXPORTER_OTLP_CERTIFICATE", other.certFile)
	t.Setenv("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", other.certFile)
	t.Setenv("OTEL_EXPORTER_OTLP_CLIENT_KEY", other.keyFile)

	t.Run("https", func(t *testing.T) {
		server, client := newSelfSigned(t, "collector"), newSelfSigned(t, "client")
		rc := &receiver{}
		url := startHTTPSReceiver(t, rc, server, client)
		tel, err := observability.New(context.Background(), observability.Config{
			Getenv: envOf(map[string]string{
				"OTEL_EXPORTER_OTLP_ENDPOINT":    url,
				"OTEL_EXPORTER_OTLP_COMPRESSION": "none",
			}),
			Certificate: server.certFile, ClientCertificate: client.certFile, ClientKey: client.keyFile,
			LogWriter: io.Discard,
		})
		if err != nil {
			t.Fatal(err)
		}
		_, span := tel.TracerProvider().Tracer("t").Start(context.Background(), "s")
		span.End()
		if err := tel.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		if spans, _ := rc.spans(); len(spans) != 1 {
			t.Fatalf("receiver got %d spans, want 1", len(spans))
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if enc := rc.headers[0].Get("Content-Encoding"); enc != "" {
			t.Fatalf("export Content-Encoding %q, want none", enc)
		}
	})
	t.Run("http", func(t *testing.T) {
		rc := &receiver{}
		srv := httptest.NewServer(rc)
		t.Cleanup(srv.Close)
		tel, err := observability.New(context.Background(), observability.Config{
			Getenv:    envOf(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL}),
			LogWriter: io.Discard,
		})
		if err != nil {
			t.Fatal(err) // the exporter refuses TLS settings for an http:// URL
		}
		_, span := tel.TracerProvider().Tracer("t").Start(context.Background(), "s")
		span.End()
		if err := tel.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		if spans, _ := rc.spans(); len(spans) != 1 {
			t.Fatalf("receiver got %d spans, want 1", len(spans))
		}
	})
}

// TestValidateTLSAndCompression reports every bad exporter setting at once,
// under the variable that holds it, and never quotes a file's contents.
func TestValidateTLSAndCompression(t *testing.T) {
	t.Parallel()
	good := newSelfSigned(t, "good")
	other := newSelfSigned(t, "other")
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	writeFile(t, junk, []byte("not-a-pem-secret-4711"))
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"all at once", map[string]string{
			"OTEL_EXPORTER_OTLP_ENDPOINT":                  "https://collector.example:4318",
			"OTEL_EXPORTER_OTLP_COMPRESSION":               "brotli",
			"OTEL_EXPORTER_OTLP_TRACES_INSECURE":           "yes",
			"OTEL_EXPORTER_OTLP_CERTIFICATE":               filepath.Join(dir, "missing.pem"),
			"OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE": junk,
			"OTEL_EXPORTER_OTLP_CLIENT_KEY":                good.keyFile,
			"LOG_FORMAT":                                   "xml",
		}, []string{"OTEL_EXPORTER_OTLP_COMPRESSION", "OTEL_EXPORTER_OTLP_TRACES_INSECURE",
			"OTEL_EXPORTER_OTLP_CERTIFICATE", "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE", "LOG_FORMAT"}},
		{"key of another certificate", map[string]string{
			"OTEL_EXPORTER_OTLP_ENDPOINT":           "https://collector.example:4318",
			"OTEL_EXPORTER_OTLP_CERTIFICATE":        junk,
			"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE": good.certFile,
			"OTEL_EXPORTER_OTLP_CLIENT_KEY":         other.keyFile,
		}, []string{"OTEL_EXPORTER_OTLP_CERTIFICATE", "OTEL_EXPORTER_OTLP_CLIENT_KEY"}},
		{"certificate without key", map[string]string{
			"OTEL_EXPORTER_OTLP_ENDPOINT":           "https://collector.example:4318",
			"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE": good.certFile,
			"OTEL_EXPORTER_OTLP_CLIENT_KEY":         good.certFile,
		}, []string{"OTEL_EXPORTER_OTLP_CLIENT_KEY"}},
		{"key without certificate", map[string]string{
			"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://collector.example:4318/v1/traces",
			"OTEL_EXPORTER_OTLP_CLIENT_KEY":      good.keyFile,
		}, []string{"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE"}},
		{"TLS files for an http URL", map[string]string{
			"OTEL_EXPORTER_OTLP_ENDPOINT":    "http://collector.example:4318",
			"OTEL_EXPORTER_OTLP_CERTIFICATE": good.certFile,
		}, []string{"OTEL_EXPORTER_OTLP_CERTIFICATE"}},
		{"insecure with an https URL", map[string]string{
			"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
			"OTEL_EXPORTER_OTLP_ENDPOINT": "https://collector.example:4317",
			"OTEL_EXPORTER_OTLP_INSECURE": "TRUE",
		}, []string{"OTEL_EXPORTER_OTLP_INSECURE"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := observability.Config{Getenv: envOf(tc.env)}.Validate()
			if err == nil {
				t.Fatal("Validate accepted bad values")
			}
			var got []string
			for _, v := range errs.From(err).FieldViolations {
				got = append(got, v.GetField())
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("violations under %v, want %v (%v)", got, tc.want, err)
			}
			for _, secret := range []string{"not-a-pem-secret-4711", "PRIVATE KEY", "CERTIFICATE-----"} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error quotes a file: %v", err)
				}
			}
		})
	}
	for _, env := range []map[string]string{
		{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://c:4318", "OTEL_EXPORTER_OTLP_CERTIFICATE": good.certFile,
			"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE": good.certFile, "OTEL_EXPORTER_OTLP_CLIENT_KEY": good.keyFile,
			"OTEL_EXPORTER_OTLP_COMPRESSION": "none", "OTEL_EXPORTER_OTLP_INSECURE": "False"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_INSECURE": "true",
			"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION": "gzip"},
		// Exporter off: the files are not its concern.
		{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_CERTIFICATE": filepath.Join(dir, "missing.pem")},
	} {
		if err := (observability.Config{Getenv: envOf(env)}).Validate(); err != nil {
			t.Errorf("%v: %v", env, err)
		}
	}
}

// TestOTLPGRPCOverTLSFromConfigEnv: the same over gRPC, whose TLS the
// exporter sets up differently (transport credentials).
func TestOTLPGRPCOverTLSFromConfigEnv(t *testing.T) {
	t.Parallel()
	server, client := newSelfSigned(t, "collector"), newSelfSigned(t, "client")
	rc, addr := startGRPCReceiver(t, grpc.Creds(credentials.NewTLS(&tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{server.pair},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    client.pool,
	})))
	tel, err := observability.New(context.Background(), observability.Config{
		Getenv: envOf(map[string]string{
			"OTEL_EXPORTER_OTLP_PROTOCOL":           "grpc",
			"OTEL_EXPORTER_OTLP_ENDPOINT":           "https://" + addr,
			"OTEL_EXPORTER_OTLP_CERTIFICATE":        server.certFile,
			"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE": client.certFile,
			"OTEL_EXPORTER_OTLP_CLIENT_KEY":         client.keyFile,
			"OTEL_EXPORTER_OTLP_COMPRESSION":        "gzip",
		}),
		LogWriter: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, span := tel.TracerProvider().Tracer("t").Start(context.Background(), "over-grpc-tls")
	span.End()
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.names) != 1 || rc.names[0] != "over-grpc-tls" {
		t.Fatalf("receiver got spans %v, want [over-grpc-tls]", rc.names)
	}
}
