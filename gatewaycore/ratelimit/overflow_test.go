package ratelimit_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// TestLimitsThatOverflowAreRefused: a limit whose burst takes longer to refill
// than the GCRA arithmetic can hold overflowed it — Burst math.MaxInt64 (meant as
// "no burst limit") refused every request (and made the Redis script fail, so every
// decision was degraded), a Period of math.MaxInt64 let Local allow every request
// and gave Redis negative retry times, and a burst of 1e15 reported a wrong
// Remaining. Validate now refuses them, so Middleware fails at start-up instead.
func TestLimitsThatOverflowAreRefused(t *testing.T) {
	t.Parallel()
	year := 365 * 24 * time.Hour
	bad := []ratelimit.Limit{
		{Rate: 1, Period: 24 * time.Hour, Burst: math.MaxInt64},
		{Rate: 1, Period: time.Duration(math.MaxInt64)},
		{Rate: 5, Period: time.Hour, Burst: 1e15},
		{Rate: 1, Period: 200 * year},
		{Rate: 1e12, Period: time.Second, Burst: math.MaxInt64 / 2}, // interval floored at 1µs
	}
	for name, mk := range limiters(t) {
		l := mk(newFakeClock())
		for _, lim := range bad {
			if err := lim.Validate(); err == nil || !strings.Contains(err.Error(), "refill") {
				t.Errorf("Validate(%+v) = %v, want a refill problem", lim, err)
			}
			if d, err := l.Allow(context.Background(), "k", lim); err == nil {
				t.Errorf("%s: Allow(%+v) = %+v, want an error", name, lim, d)
			}
		}
		// Long but representable limits still work.
		ok := ratelimit.Limit{Rate: 1, Period: year, Burst: 2}
		for i, want := range []bool{true, true, false} {
			d, err := l.Allow(context.Background(), "ok", ok)
			if err != nil || d.Allowed != want || (!want && d.RetryAfter != year) {
				t.Fatalf("%s: request %d under %+v: %+v %v", name, i, ok, d, err)
			}
		}
	}
	_, err := ratelimit.Middleware(ratelimit.NewLocal(), []ratelimit.Rule{{Prefix: "/", Policy: ratelimit.Policy{Name: "p", Limit: bad[0]}}})
	if err == nil {
		t.Fatal("Middleware accepted a limit that overflows")
	}
}
