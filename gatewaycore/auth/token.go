package auth

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"hash"
	"math"
	"math/big"
	"strings"
)

// This file is footing's compact-JWS parser (RFC 7515 §7.1) and signature check. It
// accepts exactly three base64url segments without padding or line breaks, a header
// whose "alg" is an asymmetric signature algorithm, no "crit" extensions and no
// unencoded payloads.

var b64 = base64.RawURLEncoding.Strict()

// jwsAlphabet holds the bytes a compact JWS may contain: base64url and ".".
var jwsAlphabet = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_." {
		t[c] = true
	}
	return t
}()

type jwsHeader struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Typ  string          `json:"typ"`
	Crit json.RawMessage `json:"crit"`
	B64  json.RawMessage `json:"b64"`
	JWK  json.RawMessage `json:"jwk"`
	JKU  json.RawMessage `json:"jku"`
	X5U  json.RawMessage `json:"x5u"`
}

type jwsToken struct {
	header       jwsHeader
	claims       claimSet
	signingInput string
	signature    []byte
}

// claimSet is the payload of a token: the registered claims it checks and the raw
// members, for the claims that fill a Principal.
type claimSet struct {
	raw       map[string]json.RawMessage
	issuer    string
	subject   string
	audience  []string
	expiry    int64
	notBefore int64
	issuedAt  int64
	hasExp    bool
	hasNbf    bool
	hasIat    bool
}

// supportedAlgorithm reports whether alg is one footing can verify. "none" and the
// HMAC family are deliberately absent: a verifier holding only public keys must never
// treat one as a shared secret.
func supportedAlgorithm(alg string) bool {
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA":
		return true
	}
	return false
}

// parseJWS splits and decodes a compact JWS. It checks structure only, never the
// signature or the claims' meaning.
func parseJWS(token string, maxBytes int) (*jwsToken, error) {
	if len(token) > maxBytes {
		return nil, fail(ReasonTooLarge)
	}
	// Only the base64url alphabet and the two dots: Go's decoders skip CR and LF even
	// when strict, which would give one token many spellings.
	for i := range len(token) {
		if !jwsAlphabet[token[i]] {
			return nil, fail(ReasonMalformed)
		}
	}
	first := strings.IndexByte(token, '.')
	last := strings.LastIndexByte(token, '.')
	if first <= 0 || first == last || last == len(token)-1 || strings.IndexByte(token[first+1:last], '.') >= 0 {
		return nil, fail(ReasonMalformed)
	}
	headerJSON, err := b64.DecodeString(token[:first])
	if err != nil {
		return nil, fail(ReasonMalformed)
	}
	t := &jwsToken{signingInput: token[:last]}
	if err := unmarshalObject(headerJSON, &t.header); err != nil {
		return nil, fail(ReasonMalformed)
	}
	h := &t.header
	if !supportedAlgorithm(h.Alg) {
		return nil, fail(ReasonAlgorithm)
	}
	// Extensions footing does not implement are refused, as RFC 7515 §4.1.11 requires,
	// and keys named inside the token itself are never trusted.
	if h.Crit != nil || h.B64 != nil || h.JWK != nil || h.JKU != nil || h.X5U != nil {
		return nil, fail(ReasonMalformed)
	}
	payload, err := b64.DecodeString(token[first+1 : last])
	if err != nil {
		return nil, fail(ReasonMalformed)
	}
	if t.signature, err = b64.DecodeString(token[last+1:]); err != nil {
		return nil, fail(ReasonMalformed)
	}
	if err := parseClaims(payload, &t.claims); err != nil {
		return nil, err
	}
	return t, nil
}

// unmarshalObject decodes a JSON object, refusing anything else (arrays, null).
func unmarshalObject(data []byte, v any) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return errNotObject
	}
	return json.Unmarshal(data, v)
}

var errNotObject = fail(ReasonMalformed)

func parseClaims(payload []byte, c *claimSet) error {
	if err := unmarshalObject(payload, &c.raw); err != nil {
		return fail(ReasonMalformed)
	}
	var ok bool
	if c.issuer, ok = stringClaim(c.raw, "iss"); !ok {
		return fail(ReasonClaims)
	}
	if c.subject, ok = stringClaim(c.raw, "sub"); !ok {
		return fail(ReasonClaims)
	}
	if raw, present := c.raw["aud"]; present {
		if c.audience, ok = stringList(raw, false); !ok {
			return fail(ReasonClaims)
		}
	}
	var err error
	if c.expiry, c.hasExp, err = dateClaim(c.raw, "exp"); err != nil {
		return err
	}
	if c.notBefore, c.hasNbf, err = dateClaim(c.raw, "nbf"); err != nil {
		return err
	}
	if c.issuedAt, c.hasIat, err = dateClaim(c.raw, "iat"); err != nil {
		return err
	}
	return nil
}

// dateClaim reads an optional NumericDate claim.
func dateClaim(raw map[string]json.RawMessage, name string) (int64, bool, error) {
	v, present := raw[name]
	if !present {
		return 0, false, nil
	}
	n, ok := numericDate(v)
	if !ok {
		return 0, false, fail(ReasonClaims)
	}
	return n, true, nil
}

// stringClaim returns a string-valued claim; absent or null is ("", true).
func stringClaim(raw map[string]json.RawMessage, name string) (string, bool) {
	v, present := raw[name]
	if !present {
		return "", true
	}
	return stringValue(v)
}

// stringValue decodes a JSON string; null is ("", true).
func stringValue(v json.RawMessage) (string, bool) {
	v = bytes.TrimSpace(v)
	if string(v) == "null" {
		return "", true
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}

// stringList reads a JSON string or array of strings; with split, a string is split on
// spaces (the OAuth "scope" form).
func stringList(raw json.RawMessage, split bool) ([]string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, true
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, false
		}
		if split {
			return strings.Fields(s), true
		}
		return []string{s}, true
	}
	var list []string
	if json.Unmarshal(raw, &list) != nil {
		return nil, false
	}
	return list, true
}

// numericDate reads an RFC 7519 NumericDate (seconds, possibly fractional), truncated.
func numericDate(raw json.RawMessage) (int64, bool) {
	var f float64
	if json.Unmarshal(raw, &f) != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// verifySignature checks sig over input with key under alg. The key's type must be the
// one alg names, so an RSA key can never verify an EC or HMAC token and vice versa.
func verifySignature(alg string, key crypto.PublicKey, input string, sig []byte) bool {
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		pub, ok := key.(*rsa.PublicKey)
		if !ok {
			return false
		}
		h, digest := digest(alg, input)
		if alg[0] == 'P' {
			return rsa.VerifyPSS(pub, h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
		}
		return rsa.VerifyPKCS1v15(pub, h, digest, sig) == nil
	case "ES256", "ES384", "ES512":
		pub, ok := key.(*ecdsa.PublicKey)
		if !ok || pub.Curve.Params().BitSize != ecBits(alg) {
			return false
		}
		size := (pub.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return false
		}
		_, digest := digest(alg, input)
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		return ecdsa.Verify(pub, digest, r, s)
	case "EdDSA":
		pub, ok := key.(ed25519.PublicKey)
		if !ok || len(pub) != ed25519.PublicKeySize {
			return false
		}
		return ed25519.Verify(pub, []byte(input), sig)
	}
	return false
}

// keyFits reports whether key is of the type (and, for ECDSA, on the curve) alg needs.
func keyFits(alg string, key crypto.PublicKey) bool {
	switch alg[:2] {
	case "RS", "PS":
		_, ok := key.(*rsa.PublicKey)
		return ok
	case "ES":
		pub, ok := key.(*ecdsa.PublicKey)
		return ok && pub.Curve.Params().BitSize == ecBits(alg)
	case "Ed":
		_, ok := key.(ed25519.PublicKey)
		return ok
	}
	return false
}

func digest(alg string, input string) (crypto.Hash, []byte) {
	if alg[2:] == "256" {
		sum := sha256.Sum256([]byte(input))
		return crypto.SHA256, sum[:]
	}
	var h hash.Hash
	var id crypto.Hash
	switch alg[2:] {
	case "384":
		h, id = sha512.New384(), crypto.SHA384
	case "512":
		h, id = sha512.New(), crypto.SHA512
	default:
		h, id = sha256.New(), crypto.SHA256
	}
	h.Write([]byte(input))
	return id, h.Sum(nil)
}

func ecBits(alg string) int {
	switch alg {
	case "ES384":
		return 384
	case "ES512":
		return 521
	}
	return 256
}
