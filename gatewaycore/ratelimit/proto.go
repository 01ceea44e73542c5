package ratelimit

import (
	"errors"
	"fmt"

	gatewayv1 "github.com/footingdev/footing/contracts/gen/go/footing/gateway/v1"
)

// PolicyFromProto returns the [Policy] a footing.gateway.v1.RateLimitPolicy describes.
// It reports every problem at once: a missing name or key, and the limit's own.
func PolicyFromProto(p *gatewayv1.RateLimitPolicy) (Policy, error) {
	var problems []error
	if p.GetName() == "" {
		problems = append(problems, errors.New("name is required"))
	}
	var kind KeyKind
	switch p.GetKey() {
	case gatewayv1.RateLimitPolicy_KEY_TENANT:
		kind = KeyTenant
	case gatewayv1.RateLimitPolicy_KEY_USER:
		kind = KeyUser
	case gatewayv1.RateLimitPolicy_KEY_API_KEY:
		kind = KeyAPIKey
	case gatewayv1.RateLimitPolicy_KEY_IP:
		kind = KeyIP
	default:
		problems = append(problems, fmt.Errorf("key %s is not one of TENANT, USER, API_KEY, IP", p.GetKey()))
	}
	out := Policy{Name: p.GetName(), Key: kind, Limit: Limit{Rate: p.GetRate(), Burst: p.GetBurst(), Period: p.GetPeriod().AsDuration()}}
	if err := out.Limit.Validate(); err != nil {
		problems = append(problems, err)
	}
	if len(problems) > 0 {
		return Policy{}, fmt.Errorf("ratelimit: policy %q: %w", p.GetName(), errors.Join(problems...))
	}
	return out, nil
}
