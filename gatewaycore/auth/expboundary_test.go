package auth_test

import (
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
)

// TestExpiryIsExclusive: a token is valid only before its "exp" (RFC 7519 §4.1.4: the
// current time "MUST be before" it), so with no clock skew it is refused from the
// second it names on — also within that second, and also when it was verified and
// cached a second earlier. Its "nbf" second is the first it is valid in.
func TestExpiryIsExclusive(t *testing.T) {
	t.Parallel()
	a, b := setup(t, func(c *auth.Config) { c.Issuers[0].ClockSkew = -1 })
	now := b.clock.Now() // a whole second
	if _, err := a.VerifyToken(t.Context(), b.iss.Mint(authtest.Claims{"exp": now.Unix()})); auth.ReasonOf(err) != auth.ReasonExpired {
		t.Fatalf("token at its exp second: err = %v, want reason %q", err, auth.ReasonExpired)
	}
	if _, err := a.VerifyToken(t.Context(), b.iss.Mint(authtest.Claims{"nbf": now.Unix()})); err != nil {
		t.Fatalf("token at its nbf second: %v", err)
	}

	tok := b.iss.Mint(authtest.Claims{"exp": now.Add(time.Second).Unix()})
	if _, err := a.VerifyToken(t.Context(), tok); err != nil {
		t.Fatalf("a second before exp: %v", err)
	}
	b.clock.Advance(time.Second + 500*time.Millisecond) // half a second past exp: served from the cache?
	if _, err := a.VerifyToken(t.Context(), tok); auth.ReasonOf(err) != auth.ReasonExpired {
		t.Fatalf("cached token past its exp: err = %v, want reason %q", err, auth.ReasonExpired)
	}

	// With a skew, the token is accepted for that long after exp, and no longer.
	s, sb := setup(t, func(c *auth.Config) { c.Issuers[0].ClockSkew = 30 * time.Second })
	now = sb.clock.Now()
	if _, err := s.VerifyToken(t.Context(), sb.iss.Mint(authtest.Claims{"exp": now.Add(-29 * time.Second).Unix()})); err != nil {
		t.Fatalf("exp 29 s ago, skew 30 s: %v", err)
	}
	if _, err := s.VerifyToken(t.Context(), sb.iss.Mint(authtest.Claims{"exp": now.Add(-30 * time.Second).Unix()})); auth.ReasonOf(err) != auth.ReasonExpired {
		t.Fatalf("exp 30 s ago, skew 30 s: err = %v, want reason %q", err, auth.ReasonExpired)
	}
}
