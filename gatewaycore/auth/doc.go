// Package auth authenticates and authorizes callers at the API edge.
//
// An [Authenticator] verifies bearer JWTs from several OIDC issuers — keys from
// discovery or an explicit JWKS URL, cached and refreshed by package jwks; an
// algorithm allow-list per issuer that never admits "none" or HMAC; optionally the
// header's "typ" ([IssuerConfig.Types], so an issuer's ID tokens cannot pass as its
// "at+jwt" access tokens); iss, aud, exp, nbf and iat with a clock skew; a maximum token size; a bounded cache of verified
// tokens keyed by a seeded hash and confirmed by the whole token — and API keys for machine clients, stored hashed
// behind an [APIKeyStore]. Claims become a footing.common.v1.Principal through
// configurable claim names; an issuer bound to tenants ([IssuerConfig.Tenants], for a
// tenant's own identity provider) speaks for those tenants only.
//
// A [Policy] is a service's one table saying, for each Connect procedure or HTTP
// route, whether it is public, needs any verified caller, or needs scopes or roles;
// anything not listed is denied. [Authenticator.Middleware] enforces it for plain HTTP
// and [Authenticator.Interceptor] for Connect calls of every stream type; the
// middleware judges a request under each form of its path a router may route by
// (cleaned, as sent, as sent before percent-decoding; "/x/" also as "/x" when "/x" is
// listed exactly, as routers that strip a trailing slash serve it), and each must
// allow it. On success the Principal is in the context (contracts/identity); on
// failure the caller gets errs.Unauthenticated or errs.PermissionDenied with a message that is the same for
// every cause, while the cause ([Reason]) goes to metrics and the configured logger.
//
// The token parser is footing's own compact-JWS reader on the standard library's
// crypto; see the README for why.
package auth
