package observability

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"io/fs"
	"net/url"
	"os"
	"strings"
)

// tlsVars names the variables that configure the exporter's TLS, as resolve
// found them: a problem is reported under the one that holds the value.
type tlsVars struct {
	endpoint, insecure, cert, clientCert, clientKey string
	insecureTrue                                    bool
}

// resolveTLS checks the certificate files and builds the exporter's TLS
// configuration for an https:// endpoint (nil for http://). Problems go to
// bad; they name files, never their contents.
func resolveTLS(r resolved, bad func(name, format string, args ...any), v tlsVars) *tls.Config {
	u, err := url.Parse(r.tracesURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil // reported with the endpoint
	}
	if u.Scheme == "http" {
		for _, f := range []struct{ name, path string }{
			{v.cert, r.Certificate}, {v.clientCert, r.ClientCertificate}, {v.clientKey, r.ClientKey},
		} {
			if f.path != "" {
				bad(f.name, "is set, but %s is an http:// URL: use https:// to export over TLS", v.endpoint)
			}
		}
		return nil
	}
	if v.insecureTrue {
		bad(v.insecure, "is true, but %s is an https:// URL; the scheme decides: use http:// to export without TLS", v.endpoint)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if r.Certificate != "" {
		if b, ok := readPEM(bad, v.cert, r.Certificate); ok {
			pool := x509.NewCertPool()
			if pool.AppendCertsFromPEM(b) {
				cfg.RootCAs = pool
			} else {
				bad(v.cert, "%q holds no PEM certificate", r.Certificate)
			}
		}
	}
	switch {
	case r.ClientCertificate == "" && r.ClientKey == "":
	case r.ClientKey == "":
		bad(v.clientKey, "must be set with %s", v.clientCert)
	case r.ClientCertificate == "":
		bad(v.clientCert, "must be set with %s", v.clientKey)
	default:
		cb, okc := readPEM(bad, v.clientCert, r.ClientCertificate)
		kb, okk := readPEM(bad, v.clientKey, r.ClientKey)
		if okc && !hasPEM(cb, func(t string) bool { return t == "CERTIFICATE" }) {
			bad(v.clientCert, "%q holds no PEM certificate", r.ClientCertificate)
			okc = false
		}
		if okk && !hasPEM(kb, func(t string) bool { return strings.HasSuffix(t, "PRIVATE KEY") }) {
			bad(v.clientKey, "%q holds no PEM private key", r.ClientKey)
			okk = false
		}
		if okc && okk {
			// X509KeyPair's error is not passed on: keep key material out
			// of errors whatever its wording.
			pair, err := tls.X509KeyPair(cb, kb)
			if err != nil {
				bad(v.clientKey, "%q is not a private key that parses and matches the certificate in %s", r.ClientKey, v.clientCert)
			} else {
				cfg.Certificates = []tls.Certificate{pair}
			}
		}
	}
	return cfg
}

// maxPEMFile bounds a certificate or key file: a chain of a few certificates
// is some kilobytes.
const maxPEMFile = 1 << 20

// readPEM reads the file a variable names, reporting why it cannot. Only a
// regular file of at most maxPEMFile bytes is read: a device (/dev/zero,
// /dev/stdin) or a huge file named by mistake would make Validate eat memory
// without end or block.
func readPEM(bad func(name, format string, args ...any), name, path string) ([]byte, bool) {
	b, err := readFileAtMost(path, maxPEMFile)
	switch {
	case err == nil:
		return b, true
	case errors.Is(err, errNotRegular):
		bad(name, "%q is not a regular file", path)
	case errors.Is(err, errTooLarge):
		bad(name, "%q is larger than 1 MiB", path)
	case errors.Is(err, fs.ErrNotExist):
		bad(name, "%q does not exist", path)
	case errors.Is(err, fs.ErrPermission):
		bad(name, "%q cannot be read: permission denied", path)
	default:
		bad(name, "%q cannot be read", path)
	}
	return nil, false
}

var (
	errNotRegular = errors.New("not a regular file")
	errTooLarge   = errors.New("file too large")
)

// readFileAtMost reads the regular file at path when it holds at most max
// bytes.
func readFileAtMost(path string, max int64) ([]byte, error) {
	// Stat before opening: opening a FIFO blocks until it has a writer.
	if st, err := os.Stat(path); err != nil {
		return nil, err
	} else if !st.Mode().IsRegular() {
		return nil, errNotRegular
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, errTooLarge
	}
	return b, nil
}

// hasPEM reports whether b holds a PEM block of a type ok accepts.
func hasPEM(b []byte, ok func(string) bool) bool {
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			return false
		}
		if ok(block.Type) {
			return true
		}
	}
}
