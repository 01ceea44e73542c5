package cache

import (
	"context"
	"strconv"
	"strings"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/contracts/identity"
)

// errDomain is the ErrorInfo domain of this package's errors.
const errDomain = "storage.footing.dev"

// A namespace turns a caller's key into a fully qualified backend key. The tenant
// namespace writes the tenant id with its length, so no (tenant, key) pair can spell
// another pair's key: "t1" + "x" and "t" + "1x" differ in the length field.
type namespace struct {
	prefix string
	global bool
}

// kindData and kindTag keep data keys and tag-set keys apart.
const (
	kindData = 'd'
	kindTag  = 'x'
)

// qualify returns the backend key for key of kind in ctx's namespace:
// "<prefix>:<kind>:g:<key>" in the global namespace and
// "<prefix>:<kind>:t<len>:<tenant>:<key>" for a tenant. Without a tenant in ctx and
// outside the global namespace it returns an error; there is no default. It builds
// the key with one allocation: it is on every request's path.
func (n namespace) qualify(ctx context.Context, kind byte, key string) (string, error) {
	if key == "" {
		return "", errs.InvalidArgument("CACHE_EMPTY_KEY", "cache: empty key", errs.WithDomain(errDomain))
	}
	var tenant string
	if !n.global {
		t, ok := identity.TenantID(ctx)
		if !ok {
			return "", errNoTenant()
		}
		tenant = t
	}
	var b strings.Builder
	b.Grow(len(n.prefix) + len(tenant) + len(key) + 32)
	b.WriteString(n.prefix)
	b.WriteByte(':')
	b.WriteByte(kind)
	if n.global {
		b.WriteString(":g:")
	} else {
		var num [20]byte
		b.WriteString(":t")
		b.Write(strconv.AppendInt(num[:0], int64(len(tenant)), 10))
		b.WriteByte(':')
		b.WriteString(tenant)
		b.WriteByte(':')
	}
	b.WriteString(key)
	return b.String(), nil
}

func errNoTenant() error {
	return errs.FailedPrecondition("CACHE_NO_TENANT",
		"cache: no tenant in context; use Cache.Global for data shared by all tenants",
		errs.WithDomain(errDomain))
}
