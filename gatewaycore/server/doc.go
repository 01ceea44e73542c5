// Package server runs a service's http.Server the way production needs it:
// HTTP/1.1 and cleartext HTTP/2 (h2c, through http.Server.Protocols) or TLS with
// HTTP/2 when a certificate is configured, timeouts that stop slow-header attacks
// without cutting long streams, and a graceful shutdown on SIGINT/SIGTERM:
//
//  1. readiness turns false (health.Checker.SetReady(false)), so /readyz answers 503;
//  2. a drain delay lets load balancers notice and stop sending new traffic;
//  3. the listener closes: new connections are refused;
//  4. in-flight requests and streams finish, within the shutdown deadline — past it
//     their contexts are cancelled and the remaining connections closed;
//  5. registered closers (job clients, pools, telemetry) run in reverse order.
package server
