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
