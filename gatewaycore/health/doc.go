// Package health answers liveness and readiness: /healthz (the process is up),
// /readyz (every registered check passes, each within its own timeout, and the
// server is not shutting down) as JSON with each check's status and duration, and
// the gRPC health protocol (grpc.health.v1 Check, List and Watch) served through
// Connect with contracts' generated healthv1connect.
//
// A [Checker] holds the checks (Postgres, Redis, the job client: anything with a
// func(ctx) error) and the readiness switch gatewaycore/server turns off at the start
// of a graceful shutdown, so load balancers stop sending traffic before the listener
// closes.
//
// The endpoints answer callers without a credential, so every caller shares runs of
// the checks ([Checker.Run]): concurrent callers wait for the one in flight and a
// completed run is reused for [DefaultCacheFor] (see [WithCacheFor]), so a flood of
// probes costs the dependencies one run per interval. The readiness switch is read
// on every answer, never cached.
package health
