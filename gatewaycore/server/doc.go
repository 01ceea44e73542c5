// Package server runs a service's http.Server the way production needs it:
// HTTP/1.1 and cleartext HTTP/2 (h2c, through http.Server.Protocols) or TLS with
// HTTP/2 when a certificate is configured, timeouts that stop slow-header attacks
// without cutting long streams, and a graceful shutdown on SIGINT/SIGTERM:
//
//  1. readiness turns false (health.Checker.Drain: /readyz answers 503, and open
//     gRPC health Watch streams end once told NOT_SERVING);
//  2. a drain delay lets load balancers notice and stop sending new traffic;
//  3. the listener closes: new connections are refused;
//  4. in-flight requests and streams finish, within the shutdown deadline — past it
//     their contexts are cancelled and the remaining connections closed;
//  5. the admin listener, if any, shuts down (its requests get a few seconds);
//  6. handlers still running — ones that hijacked their connection, which
//     http.Server.Shutdown does not wait for, and ones unwinding past the deadline —
//     are waited for, up to CloseTimeout;
//  7. registered closers (job clients, pools, telemetry) run in reverse order,
//     within CloseTimeout: a closer that panics is reported and the others run;
//     one still running at CloseTimeout is abandoned and, with the closers not
//     yet run, named in the error, so the shutdown always ends.
//
// A second SIGINT or SIGTERM during these steps ends the process at once.
//
// # Admin listener
//
// Config.AdminAddr (ADMIN_ADDR; empty, the default, means none) is a second,
// cleartext listener (HTTP/1.1 and h2c, never TLS) for the handler given with
// [WithAdmin]: /metrics, probes, perhaps pprof — what must not be reachable from
// the internet, so bind it to an address only the cluster reaches and keep it out
// of the public Service or load balancer. It serves for the whole life of the main
// listener and closes only after the main listener has drained (step 5), so the
// last metrics and /readyz's 503 stay scrapeable during the drain. Its timeouts are
// its own: ReadHeaderTimeout, IdleTimeout and MaxHeaderBytes as configured, 30 s
// to read a request and 90 s to write an answer. [Server.Run] and [Server.Serve]
// listen on ADMIN_ADDR; [Server.ServeWithAdmin] takes the listener. Validate
// reports an ADMIN_ADDR that is not host:port or that binds the same port as ADDR;
// a listen failure names ADDR or ADMIN_ADDR.
package server
