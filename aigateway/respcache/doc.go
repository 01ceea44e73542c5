// Package respcache is an exact-match cache of chat answers. A request's key is a
// hash of its tenant and its normalized request (the caller's metadata left out), so
// an answer is never served to another tenant; a hit is replayed as a stream, chunk
// by chunk, as the provider sent it. Requests with a temperature above zero are not
// cached unless [Config].CacheSampled says so, since their answers are meant to vary.
//
// Answers live in a [Store]: [NewRedisStore] shares them across gateway instances,
// [NewMemoryStore] keeps them in the process. [NewRedisStore] takes a *redis.Client or
// a *redis.ClusterClient: every command touches one key, so Redis Cluster is
// supported and tested, with the answers spread over its masters. Each command is
// bounded by the store's timeout ([WithStoreTimeout], default 250ms) whatever the
// client's own timeouts, so a Redis that stops answering is a miss, not a request
// held.
package respcache
