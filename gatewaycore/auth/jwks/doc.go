// Package jwks reads JSON Web Key Sets (RFC 7517) and keeps one issuer's signing keys
// cached: [Parse] turns a JWKS document into public keys (RSA, ECDSA P-256/384/521 and
// Ed25519; symmetric "oct" keys are skipped, so a public key can never become an HMAC
// secret), and a [Cache] fetches the set from a JWKS URL or through OIDC discovery,
// refreshes it periodically, and refreshes early on an unknown key id — rate-limited, with
// concurrent misses collapsed into one fetch, and keeping the cached keys when the issuer
// is unreachable. Keys are fetched over https only (plain http on loopback, or with
// [Config].AllowInsecureHTTP), including the discovered jwks_uri and any redirect.
package jwks
