package auth

import (
	"encoding/json"
	"slices"
	"strings"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
)

// Bounds from footing.common.v1.Principal's validation rules.
const (
	maxSubject = 512
	maxIDLen   = 64
	maxRoles   = 64
	maxScopes  = 128
)

// principal maps verified claims to a Principal with the issuer's claim names. A claim
// name is looked up as written first and then, if it contains dots, as a path into
// nested objects ("realm_access.roles").
func (is *issuer) principal(c *claimSet) (*commonv1.Principal, error) {
	p := &commonv1.Principal{
		Subject:    c.subject,
		Issuer:     c.issuer,
		AuthMethod: commonv1.AuthMethod_AUTH_METHOD_OIDC,
	}
	var ok bool
	if is.claims.UserID == "sub" {
		p.UserId = c.subject
	} else if p.UserId, ok = stringAt(c.raw, is.claims.UserID); !ok {
		return nil, fail(ReasonClaims)
	}
	if p.TenantId, ok = stringAt(c.raw, is.claims.Tenant); !ok {
		return nil, fail(ReasonClaims)
	}
	// One tenant, one spelling, for everything keyed by tenant after auth.
	p.TenantId = identity.CanonicalTenantID(p.TenantId)
	if p.Roles, ok = listAt(c.raw, is.claims.Roles); !ok {
		return nil, fail(ReasonClaims)
	}
	if p.Scopes, ok = listAt(c.raw, is.claims.Scopes); !ok {
		return nil, fail(ReasonClaims)
	}
	if len(p.Subject) > maxSubject || len(p.UserId) > maxIDLen || len(p.TenantId) > maxIDLen ||
		len(p.Roles) > maxRoles || len(p.Scopes) > maxScopes || len(p.Issuer) > maxSubject {
		return nil, fail(ReasonClaims)
	}
	// An issuer bound to tenants speaks for those only (IssuerConfig.Tenants). This
	// runs on verified claims, before the token is cached, so only a token that
	// passed it is ever served from the cache.
	if is.tenants != nil {
		if p.TenantId == "" {
			p.TenantId = is.onlyTenant
		}
		if _, ok := is.tenants[p.TenantId]; !ok {
			return nil, fail(ReasonTenant)
		}
	}
	return p, nil
}

// lookup finds a claim by exact name or by dotted path.
func lookup(raw map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	if v, ok := raw[name]; ok {
		return v, true
	}
	head, rest, nested := strings.Cut(name, ".")
	if !nested {
		return nil, false
	}
	v, ok := raw[head]
	if !ok {
		return nil, false
	}
	var obj map[string]json.RawMessage
	if unmarshalObject(v, &obj) != nil {
		return nil, false
	}
	return lookup(obj, rest)
}

func stringAt(raw map[string]json.RawMessage, name string) (string, bool) {
	v, present := lookup(raw, name)
	if !present {
		return "", true
	}
	return stringValue(v)
}

func listAt(raw map[string]json.RawMessage, name string) ([]string, bool) {
	v, present := lookup(raw, name)
	if !present {
		return nil, true
	}
	return stringList(v, true)
}

// clonePrincipal copies p so that no caller can change a cached Principal.
func clonePrincipal(p *commonv1.Principal) *commonv1.Principal {
	return &commonv1.Principal{
		Subject:    p.GetSubject(),
		UserId:     p.GetUserId(),
		TenantId:   p.GetTenantId(),
		Roles:      slices.Clone(p.GetRoles()),
		Scopes:     slices.Clone(p.GetScopes()),
		Issuer:     p.GetIssuer(),
		AuthMethod: p.GetAuthMethod(),
	}
}
