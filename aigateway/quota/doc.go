// Package quota admits AI requests against per-tenant and per-user limits: requests
// per minute, tokens per minute, and a spend budget per period in nano-USD.
//
// Budgets use reserve-then-settle. Before a call, [Limiter.Reserve] atomically checks
// and takes the request's worst case — its input estimate plus its maximum output
// tokens, at the model's prices — from every scope it falls under; after the call,
// [Reservation.Settle] replaces the worst case with what the provider reported, giving
// back the difference; a write the store fails is tried again a few times, and a
// Settle that still failed may be called again, so that a store hiccup does not
// leave the worst case reserved for the whole period. Concurrent requests can
// therefore never overspend: 100 requests against a budget that affords 10 serve at
// most 10.
//
// Counters live in a [Store]: [NewRedisStore] keeps them in Redis, one Lua script per
// operation, so every gateway instance shares one view; [NewMemoryStore] keeps them in
// the process when no Redis is configured. Each script is bounded by the store's
// timeout ([WithStoreTimeout], default 1s) whatever the client's own timeouts, so a
// Redis that stops answering is an Unavailable error, not a request held. Redis Cluster (a *redis.ClusterClient) is
// supported and tested: the keys of one reservation share the tenant's hash tag
// ("{tenant}", with '%', '}' and the byte 0xff of the id escaped as %XX so that no
// id can pass for another scope's; the principal without a tenant gets its own
// non-empty tag), so each script runs atomically on the master owning that slot;
// tenants spread over the masters. [Config].KeyPrefix must not contain braces. Refusals are ResourceExhausted errors
// (contracts/errs) with a RetryInfo saying when the window or period ends.
package quota
