// Package gatewaycore is the API edge of a footing service: server runtime, configuration loading,
// OIDC/JWT and API-key auth for unary and streaming RPCs, CORS, rate limits, health checks and the
// HTTP mapping of the error model.
package gatewaycore
