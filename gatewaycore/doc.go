// Package gatewaycore is the API edge of a footing service: server runtime, configuration loading,
// OIDC/JWT and API-key auth for unary and streaming RPCs, CORS, rate limits, health checks and the
// HTTP mapping of the error model.
//
// The root package holds only the module's [Version]; the edge lives in its packages:
// server, config, chain, edge, httperr, auth (with auth/jwks and auth/authtest), cors,
// ratelimit, health and reflection. chain.Chain puts them in the order ARCHITECTURE.md fixes.
package gatewaycore
