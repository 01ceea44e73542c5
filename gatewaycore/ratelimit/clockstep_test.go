package ratelimit_test

import (
	"context"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// steppedBack returns t, a reading of time.Now(), with its wall clock moved back by
// d and its monotonic reading unchanged: what time.Now() returns after the system
// clock is stepped back (NTP, a VM's clock corrected). time.Time offers no way to
// build one, so this writes its fields (wall: hasMonotonic, 33 bits of seconds
// since 1885, 30 bits of nanoseconds; ext: the monotonic reading), and checks the
// result before use.
func steppedBack(tb testing.TB, t time.Time, d time.Duration) time.Time {
	tb.Helper()
	type layout struct {
		wall uint64
		ext  int64
		loc  *time.Location
	}
	const hasMonotonic, nsecBits = 1 << 63, 30
	out := t
	p := (*layout)(unsafe.Pointer(&out))
	if p.wall&hasMonotonic == 0 {
		tb.Fatal("no monotonic reading")
	}
	sec := (p.wall << 1) >> (nsecBits + 1)
	p.wall = hasMonotonic | (sec-uint64(d/time.Second))<<nsecBits | p.wall&(1<<nsecBits-1)
	if out.Sub(t) != 0 || t.Unix()-out.Unix() != int64(d/time.Second) {
		tb.Skip("time.Time's layout is not the one this test knows")
	}
	return out
}

// TestLocalIgnoresWallClockSteps: Local decided on the wall clock (UnixNano), so
// when the system clock was stepped back an hour every key that had been used was
// refused for the next hour (its TAT now an hour ahead), and a step forward handed
// every key a fresh burst. It now measures elapsed time on the monotonic clock.
func TestLocalIgnoresWallClockSteps(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	l := ratelimit.NewLocal(ratelimit.WithClock(clock))
	limit := ratelimit.Limit{Rate: 10, Period: time.Second, Burst: 2} // one per 100ms
	ctx := context.Background()
	for i := range 2 {
		if d, _ := l.Allow(ctx, "k", limit); !d.Allowed {
			t.Fatalf("request %d refused", i)
		}
	}
	mu.Lock()
	now = steppedBack(t, now.Add(100*time.Millisecond), time.Hour) // 100ms later, the clock an hour back
	mu.Unlock()
	d, _ := l.Allow(ctx, "k", limit)
	if !d.Allowed || d.ResetAfter > time.Second {
		t.Fatalf("100ms later, with the wall clock stepped back an hour: %+v; want allowed as without the step", d)
	}
}
