// Package authtest runs an in-process OIDC issuer for tests and for a service's dev
// mode: an httptest server answering /.well-known/openid-configuration and its JWKS,
// minting tokens for any claims with RS256, ES256 or EdDSA keys, rotating and retiring
// keys, and switches that make the JWKS endpoint fail or answer slowly. It counts JWKS
// fetches, so a test can assert how often a verifier asked.
//
// Never trust it in production: whoever holds the *Issuer can mint any token. Its keys
// live in memory and die with the process; its server is plain HTTP on a loopback port.
package authtest
