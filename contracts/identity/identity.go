package identity

import (
	"context"
	"slices"
	"sync/atomic"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
)

type principalKey struct{}

type metadataKey struct{}

// WithPrincipal returns a copy of ctx that carries p. A nil p removes any principal
// the parent carried, so that code below cannot act for a caller it no longer has.
func WithPrincipal(ctx context.Context, p *commonv1.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx and whether there is one.
// The returned value is shared and must not be modified.
func PrincipalFrom(ctx context.Context) (*commonv1.Principal, bool) {
	switch v := ctx.Value(principalKey{}).(type) {
	case *commonv1.Principal:
		return v, v != nil
	case *PrincipalSlot:
		if v == nil {
			return nil, false // A nil slot is an empty one.
		}
		p := v.p.Load()
		return p, p != nil
	}
	return nil, false
}

// A PrincipalSlot is a place for the principal in a context built before the caller
// is known: the edge puts an empty slot in each request's context, and
// authentication later fills it instead of deriving a new context (for an HTTP
// middleware, a new request). Once filled, the principal is seen through every
// context derived from the one holding the slot, before or after the filling. The
// zero value is an empty slot. It is safe for concurrent use.
type PrincipalSlot struct {
	p atomic.Pointer[commonv1.Principal]
}

// WithPrincipalSlot returns a copy of ctx that carries s. Until s is filled, ctx
// carries no principal, not even one its parent carried. A nil s is a slot that
// stays empty.
func WithPrincipalSlot(ctx context.Context, s *PrincipalSlot) context.Context {
	return context.WithValue(ctx, principalKey{}, s)
}

// PrincipalSlotFrom returns the slot that decides the principal of ctx, if that is
// a slot (from [WithPrincipalSlot]) rather than a principal put in by [WithPrincipal].
func PrincipalSlotFrom(ctx context.Context) (*PrincipalSlot, bool) {
	s, _ := ctx.Value(principalKey{}).(*PrincipalSlot)
	return s, s != nil
}

// Fill puts p in the slot if it is empty and reports whether it did. A slot is
// filled at most once: a filled slot, or a nil p, is left as it is. A nil s is never
// filled.
func (s *PrincipalSlot) Fill(p *commonv1.Principal) bool {
	return s != nil && p != nil && s.p.CompareAndSwap(nil, p)
}

// TenantID returns the tenant id of the principal in ctx, and false when there is
// no principal or it has no tenant.
func TenantID(ctx context.Context) (string, bool) {
	p, ok := PrincipalFrom(ctx)
	if !ok || p.GetTenantId() == "" {
		return "", false
	}
	return p.GetTenantId(), true
}

// UserID returns the user id of the principal in ctx, and false when there is none.
func UserID(ctx context.Context) (string, bool) {
	p, ok := PrincipalFrom(ctx)
	if !ok || p.GetUserId() == "" {
		return "", false
	}
	return p.GetUserId(), true
}

// HasScope reports whether p was granted scope. A nil p has no scopes.
func HasScope(p *commonv1.Principal, scope string) bool {
	return slices.Contains(p.GetScopes(), scope)
}

// HasRole reports whether p holds role. A nil p has no roles.
func HasRole(p *commonv1.Principal, role string) bool {
	return slices.Contains(p.GetRoles(), role)
}

// WithRequestMetadata returns a copy of ctx that carries md.
func WithRequestMetadata(ctx context.Context, md *commonv1.RequestMetadata) context.Context {
	return context.WithValue(ctx, metadataKey{}, md)
}

// RequestMetadataFrom returns the request metadata in ctx and whether there is any.
// The returned value is shared and must not be modified.
func RequestMetadataFrom(ctx context.Context) (*commonv1.RequestMetadata, bool) {
	md, _ := ctx.Value(metadataKey{}).(*commonv1.RequestMetadata)
	return md, md != nil
}

// RequestID returns the request id from the request metadata in ctx, or "".
func RequestID(ctx context.Context) string {
	md, _ := RequestMetadataFrom(ctx)
	return md.GetRequestId()
}
