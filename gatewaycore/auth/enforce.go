package auth

import (
	"context"
	"net/http"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
)

// Authorize applies policy to one call of procedure (a Connect procedure or an HTTP
// path) carrying header. On success it returns ctx with the caller's Principal, if
// any. On failure it returns an errs.Unauthenticated or errs.PermissionDenied error
// that is the same for every cause; the cause goes to the metrics and the logger only.
// A Principal already in ctx (put there by an earlier auth step) is reused, not
// verified again. When ctx holds an empty identity.PrincipalSlot, the Principal is
// put in the slot and ctx itself is returned. The HTTP middleware and the Connect
// interceptor both call it. For an HTTP request, prefer [Authenticator.Middleware]:
// it judges each form of the request's path a router may route by, where Authorize
// judges the one string it is given.
func (a *Authenticator) Authorize(ctx context.Context, policy *Policy, procedure string, header http.Header) (context.Context, error) {
	rule, listed := policy.Lookup(procedure)
	if !listed {
		a.metrics.decision(ctx, "none", resultDenied, ReasonUnlisted)
		return ctx, errPermissionDenied()
	}
	rules := [1]Rule{rule}
	return a.authorize(ctx, header, rules[:])
}

// authorize is [Authenticator.Authorize] for a call that every one of rules must
// allow: it is public only if all of them are.
func (a *Authenticator) authorize(ctx context.Context, header http.Header, rules []Rule) (context.Context, error) {
	public := true
	for _, r := range rules {
		public = public && r.Mode == ModePublic
	}
	p, _ := identity.PrincipalFrom(ctx)
	method := methodOf(p)
	if p == nil {
		var err error
		p, _, err = a.authenticate(ctx, header) // shared: a context's Principal is read-only
		method = methodOf(p)
		if err != nil {
			method = a.presentedMethod(header)
			if public {
				a.metrics.decision(ctx, method, resultPublic, "")
				return ctx, nil
			}
			reason := ReasonOf(err)
			if reason == "" {
				reason = ReasonKeys
			}
			a.metrics.decision(ctx, method, resultUnauthenticated, reason)
			a.logFailure(ctx, method, err)
			return ctx, errUnauthenticated()
		}
		// The edge's slot (gatewaycore/edge.Metadata) takes the Principal without a
		// new context, so the HTTP middleware need not copy the request.
		if slot, ok := identity.PrincipalSlotFrom(ctx); !ok || !slot.Fill(p) {
			ctx = identity.WithPrincipal(ctx, p)
		}
	}
	for _, r := range rules {
		if !r.Allows(p) {
			a.metrics.decision(ctx, method, resultDenied, ReasonPolicy)
			return ctx, errPermissionDenied()
		}
	}
	a.metrics.decision(ctx, method, resultAllowed, "")
	return ctx, nil
}

func methodOf(p *commonv1.Principal) string {
	switch p.GetAuthMethod() {
	case commonv1.AuthMethod_AUTH_METHOD_API_KEY:
		return "api_key"
	case commonv1.AuthMethod_AUTH_METHOD_OIDC:
		return "jwt"
	case commonv1.AuthMethod_AUTH_METHOD_SESSION:
		return "session"
	case commonv1.AuthMethod_AUTH_METHOD_SYSTEM:
		return "system"
	}
	return "none"
}

func (a *Authenticator) presentedMethod(h http.Header) string {
	switch {
	case h.Get(headerAPIKey) != "":
		return "api_key"
	case h.Get("Authorization") != "":
		return "bearer"
	}
	return "none"
}
