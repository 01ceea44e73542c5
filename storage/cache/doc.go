// Package cache is footing's cache: typed values (JSON or protobuf) in Redis, or in
// process when no Redis is configured, namespaced by the tenant of the Principal in
// the context so that one tenant can never be served another tenant's entry.
//
// [Cache.GetOrLoad] collapses concurrent misses for one key into one load, which runs
// detached from any one caller's cancellation with its own timeout. TTLs get jitter.
// Entries can be invalidated by key or by tag (tag sets, never KEYS). An optional
// bounded in-process tier in front of Redis answers hits without a round trip and is
// kept coherent across instances by invalidation messages on Redis pub/sub.
//
// When Redis is unreachable, reads log, count footing.cache.errors and fall through to
// the loader: callers get values, not errors. Redis commands are traced and measured
// with redisotel.
package cache
