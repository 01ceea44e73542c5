package ratelimit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// TestLocalForgetsExpiredKeysAsItGoes: a stream of distinct keys (an IPv6 caller
// rotating addresses, made-up user ids) spread over time. An entry whose TAT has
// passed decides as no entry, so Local may hold only the live ones and a few
// expired ones it has not reached yet. It swept a shard only every 1024 new keys
// in that shard, scanning the whole shard under its lock: with 1000 new keys a
// second, each living one second, it held 60 times the live keys before the first
// sweep (65536 entries with about 1000 live), and each sweep stalled every key of
// the shard for a scan of all of it. A key in the middle of its burst decides
// exactly as in a Local that saw no other key.
func TestLocalForgetsExpiredKeysAsItGoes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newFakeClock()
	l := ratelimit.NewLocal(ratelimit.WithClock(clock.Now))
	alone := ratelimit.NewLocal(ratelimit.WithClock(clock.Now)) // sees only the live key
	churn := ratelimit.PerSecond(1)                             // an entry lives 1s after its request
	live := ratelimit.Limit{Rate: 1, Period: time.Hour, Burst: 10}
	const perSecond = 1000
	most := 0
	for sec := range 120 {
		for i := range perSecond {
			d, err := l.Allow(ctx, fmt.Sprint("k", sec, ".", i), churn)
			if err != nil || !d.Allowed {
				t.Fatalf("new key refused: %+v %v", d, err)
			}
		}
		if sec%10 == 0 { // the live key spends its burst, one request every 10s
			want, _ := alone.Allow(ctx, "tenant:acme", live)
			got, err := l.Allow(ctx, "tenant:acme", live)
			if err != nil || got != want {
				t.Fatalf("second %d: live key decided %+v %v; alone it decides %+v", sec, got, err, want)
			}
		}
		most = max(most, l.Len())
		clock.Advance(time.Second)
	}
	// At most one second's keys are live; allow twice as many not yet swept.
	if most > 3*perSecond {
		t.Fatalf("Local held %d entries with at most %d live", most, perSecond+1)
	}
	// After the churn the live key still holds its state: its burst is spent.
	want, _ := alone.Allow(ctx, "tenant:acme", live)
	got, _ := l.Allow(ctx, "tenant:acme", live)
	if got != want || got.Allowed {
		t.Fatalf("after the churn the live key decided %+v; alone it decides %+v (refused)", got, want)
	}
}
