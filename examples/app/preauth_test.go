package app_test

import (
	"context"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/examples/app"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
	"github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1/adrv1connect"
	"github.com/footingdev/footing/examples/internal/bearer"
)

// forwardedFor sends X-Forwarded-For: ip, as a proxy in front of the service would.
func forwardedFor(ip string) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("X-Forwarded-For", ip)
			return next(ctx, req)
		}
	}
}

// TestPerIPLimitRefusesForgedTokensBeforeAuth: with IP_RATE_LIMIT_PER_SECOND set, a
// client sending forged tokens is answered ResourceExhausted once its address's budget
// is spent — before auth verifies anything — while a client at another address (known
// through a trusted proxy's X-Forwarded-For) keeps its own budget and its answers.
func TestPerIPLimitRefusesForgedTokensBeforeAuth(t *testing.T) {
	t.Parallel()
	h := start(t, func(c *app.Config) {
		c.RedisURL = "" // this instance's own buckets, so no other run shares them
		c.IPRateLimit, c.IPRateBurst = 1, 3
		c.TrustedProxies = []string{"127.0.0.1/32", "::1/128"}
	})
	ctx := context.Background()
	from := func(ip, token string) adrv1connect.ADRServiceClient {
		return adrv1connect.NewADRServiceClient(h.http, h.url, protocols[0].opt,
			connect.WithInterceptors(bearer.Token(token), forwardedFor(ip)))
	}
	forged := h.issuer.Mint(nil) + "x" // a signature that cannot verify
	attacker := from("198.51.100.1", forged)
	codes := map[connect.Code]int{}
	for range 20 {
		_, err := attacker.ListADRs(ctx, connect.NewRequest(&adrv1.ListADRsRequest{}))
		codes[errs.From(err).Code]++
	}
	// The burst lets three through to auth (more if a second passes: the rate is 1/s).
	if codes[connect.CodeUnauthenticated] < 1 || codes[connect.CodeResourceExhausted] < 10 ||
		codes[connect.CodeUnauthenticated]+codes[connect.CodeResourceExhausted] != 20 {
		t.Fatalf("forged tokens from one address: %v, want a few Unauthenticated then ResourceExhausted", codes)
	}
	honest := from("198.51.100.2", h.token(uuid.NewString(), app.ScopeRead))
	if _, err := honest.ListADRs(ctx, connect.NewRequest(&adrv1.ListADRsRequest{})); err != nil {
		t.Fatalf("a client at another address was refused: %v", err)
	}
}

// TestIPLimitAndProxiesValidated: the new settings are checked with the others, each
// problem named by its variable.
func TestIPLimitAndProxiesValidated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tweak func(*app.Config)
		want  string
	}{
		{func(c *app.Config) { c.IPRateLimit = -1 }, "IP_RATE_LIMIT_PER_SECOND"},
		{func(c *app.Config) { c.IPRateLimit, c.IPRateBurst = 5, 0 }, "IP_RATE_LIMIT_BURST"},
		{func(c *app.Config) { c.TrustedProxies = []string{"not-an-ip"} }, "TRUSTED_PROXIES"},
	} {
		c := app.Config{Dev: true, RateLimit: 1, RateBurst: 1, Workers: 1}
		tc.tweak(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate() = %v, want an error naming %s", err, tc.want)
		}
	}
}
