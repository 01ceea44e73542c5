package auth

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	gatewayv1 "github.com/footingdev/footing/contracts/gen/go/footing/gateway/v1"
	"github.com/footingdev/footing/contracts/identity"
)

// A Mode is the kind of check a [Rule] makes.
type Mode int

// The modes of a rule. The zero Mode is invalid, so a forgotten field never opens a
// route.
const (
	// ModePublic needs no credential. A valid credential, if presented, still puts its
	// Principal in the context; an invalid one is ignored.
	ModePublic Mode = iota + 1
	// ModeAuthenticated needs any verified caller.
	ModeAuthenticated
	// ModeAuthorized needs a verified caller holding every listed scope and at least
	// one listed role (if any are listed).
	ModeAuthorized
)

// A Rule says who may call one procedure or route.
type Rule struct {
	Mode   Mode
	Scopes []string
	Roles  []string
}

// Public returns a rule that lets anyone call.
func Public() Rule { return Rule{Mode: ModePublic} }

// Authenticated returns a rule that lets any verified caller call.
func Authenticated() Rule { return Rule{Mode: ModeAuthenticated} }

// RequireScopes returns a rule that needs every one of scopes.
func RequireScopes(scopes ...string) Rule { return Rule{Mode: ModeAuthorized, Scopes: scopes} }

// RequireRoles returns a rule that needs at least one of roles.
func RequireRoles(roles ...string) Rule { return Rule{Mode: ModeAuthorized, Roles: roles} }

// Allows reports whether p satisfies r. A nil p satisfies only a public rule.
func (r Rule) Allows(p *commonv1.Principal) bool {
	switch r.Mode {
	case ModePublic:
		return true
	case ModeAuthenticated:
		return p != nil
	case ModeAuthorized:
		if p == nil {
			return false
		}
		for _, s := range r.Scopes {
			if !identity.HasScope(p, s) {
				return false
			}
		}
		return len(r.Roles) == 0 || slices.ContainsFunc(r.Roles, func(role string) bool { return identity.HasRole(p, role) })
	}
	return false
}

// RuleFromProto converts the declarative footing.gateway.v1.AuthPolicy.
func RuleFromProto(ap *gatewayv1.AuthPolicy) Rule {
	r := Rule{Scopes: slices.Clone(ap.GetScopes()), Roles: slices.Clone(ap.GetRoles())}
	switch ap.GetMode() {
	case gatewayv1.AuthPolicy_MODE_PUBLIC:
		r.Mode = ModePublic
	case gatewayv1.AuthPolicy_MODE_AUTHENTICATED:
		r.Mode = ModeAuthenticated
	case gatewayv1.AuthPolicy_MODE_AUTHORIZED:
		r.Mode = ModeAuthorized
	}
	return r
}

// A Policy is a service's one table of rules, keyed by Connect procedure
// ("/footing.ai.v1.AIGatewayService/Chat") or HTTP path ("/healthz"). A key ending in
// "/*" covers every path under it ("/footing.ai.v1.AIGatewayService/*", "/static/*");
// an exact key wins over a prefix and a longer prefix over a shorter one. Anything not
// listed is denied. A Policy is immutable and safe to use concurrently.
type Policy struct {
	exact    map[string]Rule
	prefixes []prefixRule // longest first
}

type prefixRule struct {
	prefix string
	rule   Rule
}

// NewPolicy builds a policy from rules, reporting every invalid entry at once: a key
// not starting with "/", an invalid mode, a "*" not after a final "/", an empty scope
// or role.
func NewPolicy(rules map[string]Rule) (*Policy, error) {
	p := &Policy{exact: make(map[string]Rule, len(rules))}
	var problems []error
	for key, r := range rules {
		if !strings.HasPrefix(key, "/") {
			problems = append(problems, fmt.Errorf("policy key %q must start with \"/\"", key))
		}
		if r.Mode < ModePublic || r.Mode > ModeAuthorized {
			problems = append(problems, fmt.Errorf("policy key %q: invalid mode %d", key, r.Mode))
		}
		if slices.Contains(r.Scopes, "") || slices.Contains(r.Roles, "") {
			// A split of an unset variable would admit exactly the tokens whose claims
			// carry an empty string, which restricts nothing.
			problems = append(problems, fmt.Errorf("policy key %q: a scope or role must not be empty", key))
		}
		r.Scopes, r.Roles = slices.Clone(r.Scopes), slices.Clone(r.Roles)
		if prefix, ok := strings.CutSuffix(key, "*"); ok {
			if !strings.HasSuffix(prefix, "/") {
				problems = append(problems, fmt.Errorf("policy key %q: \"*\" is only allowed after a final \"/\"", key))
			}
			p.prefixes = append(p.prefixes, prefixRule{prefix, r})
			continue
		}
		p.exact[key] = r
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	sort.Slice(p.prefixes, func(i, j int) bool { return len(p.prefixes[i].prefix) > len(p.prefixes[j].prefix) })
	return p, nil
}

// exactWithoutSlash returns the exact rule for path without its trailing slash, if
// path has one and the policy lists that exactly: a router that strips a trailing
// slash before routing serves path with that key's handler.
func (p *Policy) exactWithoutSlash(path string) (Rule, bool) {
	if p == nil || len(path) < 2 || path[len(path)-1] != '/' {
		return Rule{}, false
	}
	r, ok := p.exact[path[:len(path)-1]]
	return r, ok
}

// Lookup returns the rule for a procedure or path, and false if none covers it.
func (p *Policy) Lookup(path string) (Rule, bool) {
	if p == nil {
		return Rule{}, false
	}
	if r, ok := p.exact[path]; ok {
		return r, true
	}
	for _, pr := range p.prefixes {
		if strings.HasPrefix(path, pr.prefix) {
			return pr.rule, true
		}
	}
	return Rule{}, false
}
