package cache

import (
	"context"
	"strconv"
	"strings"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/internal/tenantid"
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
// "<prefix>:<kind>:t<len>:<tenant>:<key>" for a tenant, a UUID tenant in canonical form
// (storage/internal/tenantid, as storage/rls). Without a tenant in ctx and
// outside the global namespace it returns an error; there is no default. It builds
// the key with one allocation: it is on every request's path.
func (n namespace) qualify(ctx context.Context, kind byte, key string) (string, error) {
	if key == "" {
		return "", errs.InvalidArgument("CACHE_EMPTY_KEY", "cache: empty key", errs.WithDomain(errDomain))
	}
	var tenant string
	var canonical [tenantid.Len]byte
	isUUID := false
	if !n.global {
		t, ok := identity.TenantID(ctx)
		if !ok {
			return "", errNoTenant()
		}
		tenant = t
		// A tenant id storage/rls accepts is written as rls scopes it (canonical
		// UUID: lower case, hyphens), so one tenant spelled two ways shares one
		// namespace. Other tenant ids (rls refuses them) are written as they are.
		if u, ok := tenantid.Parse(t); ok {
			tenantid.Format(&canonical, u)
			isUUID = true
		}
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
		if isUUID {
			b.Write(strconv.AppendInt(num[:0], int64(len(canonical)), 10))
			b.WriteByte(':')
			b.Write(canonical[:])
		} else {
			b.Write(strconv.AppendInt(num[:0], int64(len(tenant)), 10))
			b.WriteByte(':')
			b.WriteString(tenant)
		}
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
