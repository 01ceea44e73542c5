// Package cache is footing's cache: typed values (JSON or protobuf) in Redis, or in
// process when no Redis is configured, namespaced by the tenant of the Principal in
// the context so that one tenant can never be served another tenant's entry. A UUID
// tenant id is namespaced in its canonical form, as storage/rls scopes it, so one tenant
// spelled in upper or lower case shares its entries and invalidations.
//
// [Cache.GetOrLoad] collapses concurrent misses for one key into one load, which runs
// detached from any one caller's cancellation with its own timeout, under a lease
// ([Leaser]): an invalidation of the key or of one of its tags while the load runs
// revokes the lease, and the loaded value, possibly read before the write that caused
// the invalidation, is returned but not stored. TTLs get jitter.
// Entries can be invalidated by key or by tag (tag sets, never KEYS). An optional
// bounded in-process tier in front of Redis answers hits without a round trip and is
// kept coherent across instances by invalidation messages on Redis pub/sub.
//
// [Open] connects to one Redis; [NewRedisClient] takes any go-redis client, including
// a *redis.ClusterClient. Redis Cluster is supported and tested. There, keys and tag
// sets live in different slots and go-redis refuses a MULTI/EXEC across slots, so
// [Redis.Set] updates the tag sets first and then stores the value with its
// invalidation in one MULTI/EXEC on the key's slot, and [Redis.Delete] and
// [Redis.InvalidateTags] unlink key by key and publish afterwards: each key is atomic
// on its own, a multi-key call is not all-or-nothing. Invalidation messages reach
// every instance (Cluster forwards PUBLISH to every node). The storage README lists
// the details.
//
// When Redis is unreachable, reads log, count footing.cache.errors and fall through to
// the loader: callers get values, not errors. A Redis that stops answering is treated
// the same after Config.RedisTimeout (default 1s), which bounds each call to Redis
// whatever the client's own socket timeouts. Redis commands are traced and measured
// with redisotel.
package cache
