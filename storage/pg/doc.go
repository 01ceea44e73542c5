// Package pg opens a pgx connection pool from a [Config] with safe defaults (a minimum of
// idle connections, connection lifetime with jitter), traces every query with OpenTelemetry
// through a pgx tracer of its own, and offers a [Health] check.
//
// The pool it returns is a plain [*pgxpool.Pool]: tenant-scoped work goes through package
// rls, never straight through the pool.
package pg
