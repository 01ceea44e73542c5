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
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/server"
)

// keyPair is a self-signed certificate for 127.0.0.1 and its key, as PEM.
type keyPair struct {
	serial   int64
	cert     *x509.Certificate
	certPEM  []byte
	keyPEM   []byte
	modified time.Time // the files' modification time once written
}

func newKeyPair(t *testing.T, serial int64) keyPair {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "127.0.0.1"},
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
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return keyPair{
		serial: serial, cert: cert,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
		// Each pair's files get a modification time of their own, as a rotation a
		// minute or a month later has, whatever the file system's clock resolution.
		modified: time.Now().Add(time.Duration(serial) * time.Minute),
	}
}

// writeFile writes data to path with the modification time mod.
func writeFile(t *testing.T, path string, data []byte, mod time.Time) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mod, mod); err != nil {
		t.Fatal(err)
	}
}

// TestTLSCertificateFilesAreReloaded: TLS_CERT_FILE and TLS_KEY_FILE were read once,
// by New, so a certificate renewed on disk (cert-manager rewrites the mounted
// Secret well before expiry) was never served: the process kept the old one until
// it expired and every handshake failed, unless something restarted it. A new
// handshake now serves the files as they are; a half-written rotation (the new
// certificate beside the old key) keeps the last good pair until the key follows.
func TestTLSCertificateFilesAreReloaded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	a, b, c := newKeyPair(t, 1), newKeyPair(t, 2), newKeyPair(t, 3)
	writeFile(t, certFile, a.certPEM, a.modified)
	writeFile(t, keyFile, a.keyPEM, a.modified)
	srv, err := server.New(server.Config{TLSCertFile: certFile, TLSKeyFile: keyFile, DrainDelay: -1},
		http.NotFoundHandler(), server.WithLogger(quietLogger()))
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
	defer func() {
		stop()
		if err := <-served; err != nil {
			t.Error(err)
		}
	}()
	pool := x509.NewCertPool()
	for _, kp := range []keyPair{a, b, c} {
		pool.AddCert(kp.cert)
	}
	// served returns the serial number of the certificate a new handshake gets.
	servedSerial := func() int64 {
		t.Helper()
		conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
	}

	if got := servedSerial(); got != a.serial {
		t.Fatalf("serves certificate %d; want %d", got, a.serial)
	}
	writeFile(t, certFile, b.certPEM, b.modified)
	writeFile(t, keyFile, b.keyPEM, b.modified)
	if got := servedSerial(); got != b.serial {
		t.Fatalf("after the files were renewed, serves certificate %d; want the new one, %d", got, b.serial)
	}
	// Half a rotation: the new certificate is there, its key not yet.
	writeFile(t, certFile, c.certPEM, c.modified)
	if got := servedSerial(); got != b.serial {
		t.Fatalf("with a certificate and a key that do not match, serves %d; want the last good one, %d", got, b.serial)
	}
	writeFile(t, keyFile, c.keyPEM, c.modified)
	if got := servedSerial(); got != c.serial {
		t.Fatalf("once the key followed, serves certificate %d; want %d", got, c.serial)
	}
}
