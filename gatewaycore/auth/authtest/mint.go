package authtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"time"
)

// Claims are the claims of a minted token, as JSON values.
type Claims map[string]any

// Mint returns an RS256 token for claims, filling in what they leave out: iss (the
// issuer URL), sub ("user-1"), aud ([DefaultAudience]), iat (now) and exp (now + 1h).
// A claim set to nil is left out of the token. It panics on claims that do not encode
// as JSON, a programming error in a test.
func (i *Issuer) Mint(claims Claims) string {
	return i.MintWith(RS256, claims)
}

// MintWith is [Issuer.Mint] with the current key for alg (RS256, ES256 or EdDSA).
func (i *Issuer) MintWith(alg string, claims Claims) string {
	tok, err := i.Sign(map[string]any{"alg": alg}, i.WithDefaults(claims))
	if err != nil {
		panic(err)
	}
	return tok
}

// WithDefaults returns a copy of claims with the defaults [Issuer.Mint] fills in, and
// without the claims set to nil.
func (i *Issuer) WithDefaults(claims Claims) Claims {
	now := i.now()
	out := Claims{
		"iss": i.URL(),
		"sub": "user-1",
		"aud": DefaultAudience,
		"iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(),
	}
	maps.Copy(out, claims)
	for k, v := range out {
		if v == nil {
			delete(out, k)
		}
	}
	return out
}

// Sign signs claims exactly as given (no defaults) under header, whose "alg" picks the
// current key (RS256, ES256 or EdDSA) and whose "kid" defaults to that key's id. A
// header member set to nil is left out ("kid": nil makes a token without a key id).
func (i *Issuer) Sign(header map[string]any, claims Claims) (string, error) {
	alg, _ := header["alg"].(string)
	i.mu.Lock()
	k := i.current[alg]
	i.mu.Unlock()
	if k == nil {
		return "", fmt.Errorf("authtest: no key for alg %q", alg)
	}
	h := maps.Clone(header)
	if _, ok := h["kid"]; !ok {
		h["kid"] = k.kid
	}
	if _, ok := h["typ"]; !ok {
		h["typ"] = "JWT"
	}
	maps.DeleteFunc(h, func(_ string, v any) bool { return v == nil })
	input, err := EncodeUnsigned(h, claims)
	if err != nil {
		return "", err
	}
	sig, err := k.sign([]byte(input))
	if err != nil {
		return "", fmt.Errorf("authtest: sign: %w", err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// EncodeUnsigned returns the JWS signing input base64url(header) "." base64url(claims),
// for tests that sign (or forge) tokens themselves.
func EncodeUnsigned(header map[string]any, claims Claims) (string, error) {
	hj, err := json.Marshal(header)
	if err != nil {
		return "", fmt.Errorf("authtest: header: %w", err)
	}
	cj, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("authtest: claims: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(hj) + "." + base64.RawURLEncoding.EncodeToString(cj), nil
}
