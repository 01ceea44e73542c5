package jwks

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
)

// MinRSABits is the smallest RSA modulus [Parse] accepts.
const MinRSABits = 2048

// maxKeys bounds how many keys one set may hold.
const maxKeys = 64

// A Key is one public signing key of a set.
type Key struct {
	// ID is the "kid" of the key; it may be empty.
	ID string
	// Algorithm is the "alg" the issuer pinned for the key, or empty.
	Algorithm string
	// Public is an *rsa.PublicKey, an *ecdsa.PublicKey or an ed25519.PublicKey.
	Public crypto.PublicKey
}

// A Set is an immutable collection of keys, safe to use concurrently.
type Set struct {
	keys []Key
	byID map[string]int
}

// Len returns the number of keys in s.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.keys)
}

// Lookup returns the key with the given id.
func (s *Set) Lookup(kid string) (Key, bool) {
	if s == nil {
		return Key{}, false
	}
	i, ok := s.byID[kid]
	if !ok {
		return Key{}, false
	}
	return s.keys[i], true
}

// Keys returns a copy of the keys of s, in document order.
func (s *Set) Keys() []Key {
	if s == nil {
		return nil
	}
	return append([]Key(nil), s.keys...)
}

// ErrInvalidSet reports a JWKS document that is not valid JSON of the expected shape.
var ErrInvalidSet = errors.New("jwks: invalid key set")

type rawKey struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	// KeyOps is nil when absent; present, it must include "verify".
	KeyOps *[]string `json:"key_ops"`
	Crv    string    `json:"crv"`
	N      string    `json:"n"`
	E      string    `json:"e"`
	X      string    `json:"x"`
	Y      string    `json:"y"`
}

// Parse reads a JWKS document. Keys it cannot use for verifying signatures — unknown key
// types, symmetric keys, keys whose "use" is not "sig" or whose "key_ops" lacks
// "verify", malformed or weak keys — are
// skipped rather than failing the whole set, so one odd key at the issuer does not lock
// every caller out; a document that is not a JWKS at all is an error wrapping
// [ErrInvalidSet]. When two keys share an id, the first wins, unless the second is of
// another type or curve, or pins another "alg": RFC 7517 §4.5 allows one id for keys
// of different types that are alternatives to each other, so such a key is kept
// (Keys lists it; Lookup finds the first key with the id). Keys without an id are all
// kept (a token without "kid" is checked against each that fits), and Lookup("")
// finds the first of them.
func Parse(data []byte) (*Set, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidSet, err)
	}
	if doc.Keys == nil {
		return nil, fmt.Errorf("%w: no \"keys\" member", ErrInvalidSet)
	}
	s := &Set{byID: make(map[string]int, len(doc.Keys))}
	for _, raw := range doc.Keys {
		if len(s.keys) == maxKeys {
			break
		}
		var rk rawKey
		if json.Unmarshal(raw, &rk) != nil {
			continue
		}
		if rk.Use != "" && rk.Use != "sig" {
			continue
		}
		if rk.KeyOps != nil && !slices.Contains(*rk.KeyOps, "verify") {
			continue
		}
		pub, err := rk.publicKey()
		if err != nil {
			continue
		}
		key := Key{ID: rk.Kid, Algorithm: rk.Alg, Public: pub}
		_, dup := s.byID[rk.Kid]
		if dup && rk.Kid != "" && !s.alternative(key) {
			continue
		}
		if !dup {
			s.byID[rk.Kid] = len(s.keys)
		}
		s.keys = append(s.keys, key)
	}
	return s, nil
}

// alternative reports whether k differs from every key of s with its id in type,
// curve or pinned "alg", so that a token naming the id may need k rather than them.
func (s *Set) alternative(k Key) bool {
	for _, o := range s.keys {
		if o.ID == k.ID && sameKind(o, k) {
			return false
		}
	}
	return true
}

// sameKind reports whether a and b pin the same "alg" and are of the same type (and,
// for ECDSA, curve): whether every token one could verify, the other could be asked to.
func sameKind(a, b Key) bool {
	if a.Algorithm != b.Algorithm {
		return false
	}
	switch pa := a.Public.(type) {
	case *rsa.PublicKey:
		_, ok := b.Public.(*rsa.PublicKey)
		return ok
	case *ecdsa.PublicKey:
		pb, ok := b.Public.(*ecdsa.PublicKey)
		return ok && pa.Curve == pb.Curve
	case ed25519.PublicKey:
		_, ok := b.Public.(ed25519.PublicKey)
		return ok
	}
	return false
}

func b64(s string) ([]byte, error) {
	return base64.RawURLEncoding.Strict().DecodeString(s)
}

func (rk *rawKey) publicKey() (crypto.PublicKey, error) {
	switch rk.Kty {
	case "RSA":
		n, err := b64(rk.N)
		if err != nil {
			return nil, err
		}
		e, err := b64(rk.E)
		if err != nil {
			return nil, err
		}
		if len(e) == 0 || len(e) > 4 {
			return nil, errors.New("bad exponent")
		}
		var exp int
		for _, b := range e {
			exp = exp<<8 | int(b)
		}
		mod := new(big.Int).SetBytes(n)
		if exp < 3 || exp%2 == 0 || mod.BitLen() < MinRSABits || mod.BitLen() > 8192 {
			return nil, errors.New("weak or malformed RSA key")
		}
		return &rsa.PublicKey{N: mod, E: exp}, nil
	case "EC":
		var curve elliptic.Curve
		switch rk.Crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		case "P-521":
			curve = elliptic.P521()
		default:
			return nil, errors.New("unsupported curve")
		}
		x, err := b64(rk.X)
		if err != nil {
			return nil, err
		}
		y, err := b64(rk.Y)
		if err != nil {
			return nil, err
		}
		size := (curve.Params().BitSize + 7) / 8
		if len(x) != size || len(y) != size {
			return nil, errors.New("bad coordinate length")
		}
		// ParseUncompressedPublicKey checks that the point is on the curve.
		uncompressed := append(append([]byte{4}, x...), y...)
		return ecdsa.ParseUncompressedPublicKey(curve, uncompressed)
	case "OKP":
		if rk.Crv != "Ed25519" {
			return nil, errors.New("unsupported curve")
		}
		x, err := b64(rk.X)
		if err != nil {
			return nil, err
		}
		if len(x) != ed25519.PublicKeySize {
			return nil, errors.New("bad Ed25519 key length")
		}
		return ed25519.PublicKey(x), nil
	default: // "oct" and anything unknown: never used to verify.
		return nil, errors.New("unsupported key type")
	}
}
