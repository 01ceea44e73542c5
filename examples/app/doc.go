// Package app wires the reference ADR service from every footing module: telemetry
// from observability; the edge (request metadata, tracing, metrics, access log,
// CORS, body limit, auth, rate limits) from gatewaycore; tenant-scoped
// transactions, jobs, cache and flags from storage; the error model and validation
// from contracts. It is the code teams copy: each step is one call, in the order
// ARCHITECTURE.md gives.
package app
