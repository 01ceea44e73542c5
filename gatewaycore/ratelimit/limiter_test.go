package ratelimit_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// limiters returns each implementation on the same fake clock.
func limiters(t *testing.T) map[string]func(*fakeClock) ratelimit.Limiter {
	return map[string]func(*fakeClock) ratelimit.Limiter{
		"local": func(c *fakeClock) ratelimit.Limiter { return ratelimit.NewLocal(ratelimit.WithClock(c.Now)) },
		"redis": func(c *fakeClock) ratelimit.Limiter {
			client, prefix := newRedis(t)
			l, err := ratelimit.NewRedis(ratelimit.RedisConfig{Timeout: testTimeout, Client: client, Prefix: prefix, Now: c.Now})
			if err != nil {
				t.Fatal(err)
			}
			return l
		},
	}
}

func TestBurstThenRefusal(t *testing.T) {
	t.Parallel()
	for name, mk := range limiters(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			l := mk(clock)
			ctx := context.Background()
			limit := ratelimit.Limit{Rate: 10, Period: time.Second, Burst: 5} // one per 100ms, 5 at once
			for i := range 5 {
				d, err := l.Allow(ctx, "k", limit)
				if err != nil || !d.Allowed || d.Remaining != int64(4-i) {
					t.Fatalf("request %d: %+v, %v; want allowed with %d remaining", i, d, err, 4-i)
				}
			}
			d, err := l.Allow(ctx, "k", limit)
			if err != nil || d.Allowed || d.RetryAfter != 100*time.Millisecond || d.Remaining != 0 {
				t.Fatalf("6th request: %+v, %v; want refused with RetryAfter 100ms", d, err)
			}
			if d.Degraded {
				t.Fatal("decision marked degraded")
			}
			clock.Advance(40 * time.Millisecond)
			if d, _ = l.Allow(ctx, "k", limit); d.Allowed || d.RetryAfter != 60*time.Millisecond {
				t.Fatalf("after 40ms: %+v; want refused with RetryAfter 60ms", d)
			}
			clock.Advance(60 * time.Millisecond)
			if d, _ = l.Allow(ctx, "k", limit); !d.Allowed || d.Remaining != 0 {
				t.Fatalf("after 100ms: %+v; want one allowed", d)
			}
			if d, _ = l.Allow(ctx, "other", limit); !d.Allowed || d.Remaining != 4 {
				t.Fatalf("other key: %+v; want its own budget", d)
			}
			clock.Advance(time.Second)
			if d, _ = l.Allow(ctx, "k", limit); !d.Allowed || d.Remaining != 4 || d.ResetAfter != 100*time.Millisecond {
				t.Fatalf("after a quiet second: %+v; want a full burst again", d)
			}
		})
	}
}

func TestInvalidLimit(t *testing.T) {
	t.Parallel()
	for name, mk := range limiters(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := mk(newFakeClock()).Allow(context.Background(), "k", ratelimit.Limit{Rate: 0, Period: -1, Burst: -2})
			if err == nil || !strings.Contains(err.Error(), "rate") || !strings.Contains(err.Error(), "period") || !strings.Contains(err.Error(), "burst") {
				t.Fatalf("want all three problems, got %v", err)
			}
		})
	}
}

func TestRedisServerClock(t *testing.T) {
	t.Parallel()
	client, prefix := newRedis(t)
	l, err := ratelimit.NewRedis(ratelimit.RedisConfig{Timeout: testTimeout, Client: client, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	limit := ratelimit.Limit{Rate: 3, Period: time.Hour} // 20 minutes per request
	for i := range 3 {
		if d, err := l.Allow(context.Background(), "k", limit); err != nil || !d.Allowed {
			t.Fatalf("request %d: %+v %v", i, d, err)
		}
	}
	d, err := l.Allow(context.Background(), "k", limit)
	// Redis's clock moves between calls, so the wait is a little under 20 minutes.
	if err != nil || d.Allowed || d.RetryAfter > 20*time.Minute || d.RetryAfter < 19*time.Minute {
		t.Fatalf("4th request: %+v %v; want refused with RetryAfter just under 20m", d, err)
	}
	ttl, err := client.PTTL(context.Background(), prefix+"k").Result()
	if err != nil || ttl <= 59*time.Minute || ttl > time.Hour {
		t.Fatalf("key TTL %s %v; want about an hour so idle keys expire", ttl, err)
	}
}

func TestLocalSweepsExpiredKeys(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	l := ratelimit.NewLocal(ratelimit.WithClock(clock.Now))
	limit := ratelimit.PerSecond(1)
	for i := range 5000 {
		if _, err := l.Allow(context.Background(), fmt.Sprint("a", i), limit); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Minute)
	for i := range 70000 {
		if _, err := l.Allow(context.Background(), fmt.Sprint("b", i), limit); err != nil {
			t.Fatal(err)
		}
	}
	if n := l.Len(); n >= 75000 {
		t.Fatalf("Len = %d; expired keys were not swept", n)
	}
}

// TestRedisMatchesLocal drives both implementations through the same random sequence
// of requests and clock steps and wants the same decision every time: the Redis
// script's compact reply must expand to exactly what the in-process GCRA decides.
// TestRedisKeepsStateThroughAStall: with a clock of the caller's (Now), a machine that
// stalls longer than the time until the key's TAT must not lose the key in Redis, which
// expires keys in real time; the decision after the stall is the in-process one. (Such
// stalls made TestRedisMatchesLocal-style comparisons flaky; the script keeps every key a
// second at least, which changes no decision: a TAT in the past decides as no key.)
func TestRedisKeepsStateThroughAStall(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	limit := ratelimit.Limit{Rate: 10, Period: time.Second, Burst: 1} // the key lives ~200 ms of TAT
	clock := newFakeClock()
	mk := limiters(t)
	local, remote := mk["local"](clock), mk["redis"](clock)
	for i := 0; ; i++ {
		want, err := local.Allow(ctx, "k", limit)
		if err != nil {
			t.Fatal(err)
		}
		got, err := remote.Allow(ctx, "k", limit)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("call %d: redis %+v, local %+v", i, got, want)
		}
		if !got.Allowed {
			break
		}
		if i > 10 {
			t.Fatal("never refused")
		}
	}
	time.Sleep(400 * time.Millisecond) // real time: past the TAT; the fake clock stands still
	want, err := local.Allow(ctx, "k", limit)
	if err != nil {
		t.Fatal(err)
	}
	got, err := remote.Allow(ctx, "k", limit)
	if err != nil {
		t.Fatal(err)
	}
	if want.Allowed || got != want {
		t.Fatalf("after a stall: redis %+v, local %+v; want both refused alike", got, want)
	}
}

func TestRedisMatchesLocal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	limits := []ratelimit.Limit{
		{Rate: 10, Period: time.Second, Burst: 5},
		{Rate: 1, Period: time.Second},
		{Rate: 3, Period: 300 * time.Millisecond, Burst: 1},
		{Rate: 1000, Period: time.Minute, Burst: 20},
	}
	for _, limit := range limits {
		t.Run(fmt.Sprintf("%d per %s burst %d", limit.Rate, limit.Period, limit.Burst), func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			mk := limiters(t)
			local, remote := mk["local"](clock), mk["redis"](clock)
			rng := rand.New(rand.NewPCG(uint64(limit.Rate), uint64(limit.Burst)))
			refused := 0
			for i := range 300 {
				if rng.IntN(2) == 0 { // Up to two emission intervals, in whole milliseconds.
					clock.Advance(time.Duration(rng.IntN(int(2*limit.Period/time.Duration(limit.Rate)/time.Millisecond)+1)) * time.Millisecond)
				}
				want, err := local.Allow(ctx, "k", limit)
				if err != nil {
					t.Fatal(err)
				}
				got, err := remote.Allow(ctx, "k", limit)
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Fatalf("step %d: redis %+v, local %+v", i, got, want)
				}
				if !got.Allowed {
					refused++
				}
			}
			if refused == 0 || refused == 300 {
				t.Fatalf("%d of 300 refused; the sequence did not exercise both outcomes", refused)
			}
		})
	}
}
