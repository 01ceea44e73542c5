// Package authtest runs an in-process OIDC issuer for tests and for a service's dev
// mode: an httptest server answering /.well-known/openid-configuration and its JWKS,
// minting tokens for any claims with RS256, ES256 or EdDSA keys, rotating and retiring
// keys, and switches that make the JWKS endpoint fail or answer slowly. It counts JWKS
// fetches, so a test can assert how often a verifier asked.
//
// Never use it in production: anyone who can reach the process can mint tokens only
// through its Go API, but its keys live in memory and die with it.
package authtest
