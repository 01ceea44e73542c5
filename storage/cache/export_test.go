package cache

import (
	"context"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
)

// LocalLive reports whether r's in-process tier is subscribed and serving.
func LocalLive(r *Redis) bool { return r.local != nil && r.local.coherent() }

// LocalLen returns the number of entries in r's in-process tier.
func LocalLen(r *Redis) int { return r.local.lru.len() }

// DataKey exposes the namespace's key layout to the fuzz test and benchmarks; it
// fails where the Cache refuses (no tenant, empty key).
func DataKey(prefix, tenant, key string) (string, error) {
	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: tenant})
	return namespace{prefix: prefix}.qualify(ctx, kindData, key)
}

// DecodeInvalidation exposes the invalidation message parser to the fuzz test.
var DecodeInvalidation = decodeInvalidation

// Prefix returns the key prefix c was configured with.
func Prefix(c *Cache) string { return c.ns.prefix }

// LocalGet reads key from r's in-process tier only.
func LocalGet(r *Redis, key string) ([]byte, bool) { return r.local.get(key) }

// LocalBytes returns the bytes r's in-process tier counts against its byte bound.
func LocalBytes(r *Redis) int64 { return r.local.lru.size() }

// LocalMaxBytes returns the byte bound of r's in-process tier.
func LocalMaxBytes(r *Redis) int64 { return r.local.lru.maxBytes }

// MemoryLen returns the number of values m holds.
func MemoryLen(m *Memory) int { return m.lru.len() }

// MemoryBytes returns the bytes m counts against its byte bound.
func MemoryBytes(m *Memory) int64 { return m.lru.size() }

// MemoryMaxBytes returns m's byte bound.
func MemoryMaxBytes(m *Memory) int64 { return m.lru.maxBytes }

// MemoryTagged returns the number of keys in m's set for tag.
func MemoryTagged(m *Memory, tag string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.tags[tag])
}

// TagSetKey names the Redis key of tag's set of keys.
func TagSetKey(r *Redis, tag string) string { return r.tagSetKey(tag) }
