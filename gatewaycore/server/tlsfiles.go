package server

import (
	"crypto/tls"
	"log/slog"
	"os"
	"sync"
	"time"
)

// certFiles serves the key pair in TLSCertFile and TLSKeyFile as the files are now:
// a certificate renewed on disk (cert-manager rewrites a mounted Secret before the
// old one expires) is served from the next handshake on, without a restart.
type certFiles struct {
	certFile, keyFile string
	log               *slog.Logger

	mu        sync.Mutex
	cert      *tls.Certificate // the last pair that loaded
	certStamp fileStamp        // the files as they were when last loaded or tried
	keyStamp  fileStamp
}

// fileStamp is what tells that a file has changed: its modification time and size
// (os.Stat follows symbolic links, so a Kubernetes volume's swapped ..data link
// shows as a change too).
type fileStamp struct {
	mod  time.Time
	size int64
}

func stampOf(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{fi.ModTime(), fi.Size()}, nil
}

// loadCertFiles loads the key pair once, for New, which reports a failure.
func loadCertFiles(certFile, keyFile string, log *slog.Logger) (*certFiles, error) {
	cs, _ := stampOf(certFile) // LoadX509KeyPair reports a file it cannot read
	ks, _ := stampOf(keyFile)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	return &certFiles{certFile: certFile, keyFile: keyFile, log: log, cert: &cert, certStamp: cs, keyStamp: ks}, nil
}

// getCertificate is tls.Config.GetCertificate: it reloads the pair when either file
// has changed since it was last loaded or tried, and keeps serving the last pair
// that loaded while the files do not make one (a rotation half written: the new
// certificate beside the old key), trying again once either changes. A stat per
// handshake is nothing beside the handshake's own cost.
func (c *certFiles) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	cs, errC := stampOf(c.certFile)
	ks, errK := stampOf(c.keyFile)
	c.mu.Lock()
	defer c.mu.Unlock()
	if errC != nil || errK != nil || (cs == c.certStamp && ks == c.keyStamp) {
		return c.cert, nil
	}
	c.certStamp, c.keyStamp = cs, ks
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		c.log.Warn("TLS key pair changed on disk but does not load; serving the previous one",
			"cert_file", c.certFile, "key_file", c.keyFile, "error", err)
		return c.cert, nil
	}
	c.cert = &cert
	c.log.Info("TLS key pair reloaded", "cert_file", c.certFile, "not_after", notAfter(&cert))
	return c.cert, nil
}

// notAfter returns the expiry of cert's leaf, or the zero time if it has none.
func notAfter(cert *tls.Certificate) time.Time {
	if cert.Leaf != nil {
		return cert.Leaf.NotAfter
	}
	return time.Time{}
}
