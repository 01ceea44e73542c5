package authtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/footingdev/footing/gatewaycore/auth"
)

// DefaultAudience is the audience [Issuer.Mint] puts in tokens that name none.
const DefaultAudience = "footing-test"

// Algorithms an Issuer can sign with.
const (
	RS256 = "RS256"
	ES256 = "ES256"
	EdDSA = "EdDSA"
)

// An Issuer is an in-process OIDC issuer. It is safe to use concurrently.
type Issuer struct {
	srv      *httptest.Server
	now      func() time.Time
	listener net.Listener

	mu        sync.Mutex
	published []*signingKey          // in the JWKS, in order
	current   map[string]*signingKey // signer per algorithm
	failCode  int
	delay     time.Duration

	jwksFetches      atomic.Int64
	discoveryFetches atomic.Int64
}

type signingKey struct {
	kid  string
	alg  string
	priv crypto.Signer
}

// An Option configures an [Issuer].
type Option func(*Issuer)

// WithClock sets the clock used for iat and exp of minted tokens; nil is ignored.
func WithClock(now func() time.Time) Option {
	return func(i *Issuer) {
		if now != nil {
			i.now = now
		}
	}
}

// WithListener serves the issuer on l (for example a fixed dev-mode address) instead of
// a random loopback port; nil is ignored. The issuer closes l when it closes.
func WithListener(l net.Listener) Option {
	return func(i *Issuer) {
		if l != nil {
			i.listener = l
		}
	}
}

// NewIssuer starts an issuer with one key per algorithm (RS256, ES256, EdDSA). Close
// it when done.
func NewIssuer(opts ...Option) *Issuer {
	i := &Issuer{now: time.Now, current: map[string]*signingKey{}}
	for _, opt := range opts {
		opt(i)
	}
	for _, alg := range []string{RS256, ES256, EdDSA} {
		k := newKey(alg, alg == RS256)
		i.published = append(i.published, k)
		i.current[alg] = k
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", i.serveDiscovery)
	mux.HandleFunc("GET /jwks.json", i.serveJWKS)
	i.srv = httptest.NewUnstartedServer(mux)
	if i.listener != nil {
		_ = i.srv.Listener.Close()
		i.srv.Listener = i.listener
	}
	i.srv.Start()
	return i
}

// URL returns the issuer URL, the "iss" of its tokens.
func (i *Issuer) URL() string { return i.srv.URL }

// JWKSURL returns the URL of the key set.
func (i *Issuer) JWKSURL() string { return i.srv.URL + "/jwks.json" }

// Client returns an HTTP client for the issuer's server.
func (i *Issuer) Client() *http.Client { return i.srv.Client() }

// Close shuts the server down.
func (i *Issuer) Close() { i.srv.Close() }

// Config returns an auth.IssuerConfig that trusts this issuer through discovery, for
// the given audiences ([DefaultAudience] if none).
func (i *Issuer) Config(audiences ...string) auth.IssuerConfig {
	if len(audiences) == 0 {
		audiences = []string{DefaultAudience}
	}
	return auth.IssuerConfig{Name: "authtest", Issuer: i.URL(), Audiences: audiences}
}

// JWKSFetches returns how many times the JWKS was requested (including failed ones).
func (i *Issuer) JWKSFetches() int64 { return i.jwksFetches.Load() }

// DiscoveryFetches returns how many times the discovery document was requested.
func (i *Issuer) DiscoveryFetches() int64 { return i.discoveryFetches.Load() }

// SetJWKSFailure makes the JWKS endpoint answer status (for example 503); 0 heals it.
func (i *Issuer) SetJWKSFailure(status int) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.failCode = status
}

// SetJWKSDelay makes the JWKS endpoint wait d before answering (or until the request
// is cancelled); 0 removes the delay.
func (i *Issuer) SetJWKSDelay(d time.Duration) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.delay = d
}

// Rotate makes a new key the signer for alg and publishes it next to the old ones, as
// an issuer does before retiring a key. It returns the new key id.
func (i *Issuer) Rotate(alg string) string {
	k := newKey(alg, false)
	i.mu.Lock()
	defer i.mu.Unlock()
	i.published = append(i.published, k)
	i.current[alg] = k
	return k.kid
}

// Retire removes the key kid from the JWKS. Tokens it signed stop verifying once a
// verifier refreshes. A retired current signer stays the signer until the next Rotate.
func (i *Issuer) Retire(kid string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	for n, k := range i.published {
		if k.kid == kid {
			i.published = append(i.published[:n:n], i.published[n+1:]...)
			return
		}
	}
}

// KeyID returns the id of the current signing key for alg.
func (i *Issuer) KeyID(alg string) string {
	i.mu.Lock()
	defer i.mu.Unlock()
	if k := i.current[alg]; k != nil {
		return k.kid
	}
	return ""
}

// PublicKey returns the public half of the current signing key for alg.
func (i *Issuer) PublicKey(alg string) crypto.PublicKey {
	i.mu.Lock()
	defer i.mu.Unlock()
	if k := i.current[alg]; k != nil {
		return k.priv.Public()
	}
	return nil
}

var sharedRSA = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA() })

func mustRSA() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(fmt.Sprintf("authtest: generate RSA key: %v", err))
	}
	return k
}

// newKey makes a key for alg. The first RSA key of every issuer is shared across
// issuers in the process (RSA generation is slow); rotated keys are always fresh.
func newKey(alg string, shared bool) *signingKey {
	var priv crypto.Signer
	switch alg {
	case RS256:
		if shared {
			priv = sharedRSA()
		} else {
			priv = mustRSA()
		}
	case ES256:
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(fmt.Sprintf("authtest: generate EC key: %v", err))
		}
		priv = k
	case EdDSA:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			panic(fmt.Sprintf("authtest: generate Ed25519 key: %v", err))
		}
		priv = k
	default:
		panic("authtest: unsupported algorithm " + alg)
	}
	var id [9]byte
	_, _ = rand.Read(id[:])
	return &signingKey{kid: alg + "-" + base64.RawURLEncoding.EncodeToString(id[:]), alg: alg, priv: priv}
}

func (i *Issuer) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	i.discoveryFetches.Add(1)
	writeJSON(w, map[string]any{
		"issuer":                                i.URL(),
		"jwks_uri":                              i.JWKSURL(),
		"id_token_signing_alg_values_supported": []string{RS256, ES256, EdDSA},
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
	})
}

func (i *Issuer) serveJWKS(w http.ResponseWriter, r *http.Request) {
	i.jwksFetches.Add(1)
	i.mu.Lock()
	failCode, delay := i.failCode, i.delay
	keys := make([]map[string]string, 0, len(i.published))
	for _, k := range i.published {
		keys = append(keys, k.jwk())
	}
	i.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if failCode != 0 {
		http.Error(w, http.StatusText(failCode), failCode)
		return
	}
	writeJSON(w, map[string]any{"keys": keys})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (k *signingKey) jwk() map[string]string {
	m := map[string]string{"kid": k.kid, "alg": k.alg, "use": "sig"}
	enc := base64.RawURLEncoding.EncodeToString
	switch pub := k.priv.Public().(type) {
	case *rsa.PublicKey:
		m["kty"], m["n"], m["e"] = "RSA", enc(pub.N.Bytes()), enc(big.NewInt(int64(pub.E)).Bytes())
	case *ecdsa.PublicKey:
		raw, _ := pub.Bytes() // uncompressed point: 0x04 || X || Y
		size := (len(raw) - 1) / 2
		m["kty"], m["crv"], m["x"], m["y"] = "EC", "P-256", enc(raw[1:1+size]), enc(raw[1+size:])
	case ed25519.PublicKey:
		m["kty"], m["crv"], m["x"] = "OKP", "Ed25519", enc(pub)
	}
	return m
}

// sign signs input with k in JWS form.
func (k *signingKey) sign(input []byte) ([]byte, error) {
	switch priv := k.priv.(type) {
	case *rsa.PrivateKey:
		sum := sha256.Sum256(input)
		return rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, sum[:])
	case *ecdsa.PrivateKey:
		sum := sha256.Sum256(input)
		r, s, err := ecdsa.Sign(rand.Reader, priv, sum[:])
		if err != nil {
			return nil, err
		}
		out := make([]byte, 64)
		r.FillBytes(out[:32])
		s.FillBytes(out[32:])
		return out, nil
	case ed25519.PrivateKey:
		return ed25519.Sign(priv, input), nil
	}
	return nil, errors.New("authtest: unsupported key")
}
