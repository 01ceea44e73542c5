// Package bench holds gatewaycore's headline benchmarks and the end-to-end test of
// the full edge chain (recover, request id, tracing, metrics, access log, CORS, body
// limit, auth, rate limit) in front of a connect-go handler. It has no API; its
// numbers are in gatewaycore/BENCHMARKS.md.
package bench
