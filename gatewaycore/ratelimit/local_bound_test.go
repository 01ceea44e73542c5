package ratelimit_test

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

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

// evictionsMetric is the counter of live entries Local evicted at its cap.
const evictionsMetric = "footing.ratelimit.local.evictions"

func localEvictions(t *testing.T, reader *sdkmetric.ManualReader) int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != evictionsMetric {
				continue
			}
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				n += dp.Value
			}
		}
	}
	return n
}

// TestLocalCapEvictsTheEntryClosestToExpiry: when every entry is live, Local held
// one more per new key without bound — an attacker with a /64, or minting user ids,
// grew it until the process ran out of memory, and so the backstop of a Redis
// limiter whose Redis was down. It now holds at most WithMaxKeys keys: a new key
// arriving when its shard is full is decided (allowed, as any new key) and takes
// the place of the live entry closest to expiry, whose limit restarts early; the
// eviction is counted. A key whose limit has a long way to refill keeps its state.
func TestLocalCapEvictsTheEntryClosestToExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	clock := newFakeClock()
	const maxKeys = 256 // 4 per shard
	l := ratelimit.NewLocal(ratelimit.WithClock(clock.Now), ratelimit.WithMaxKeys(maxKeys), ratelimit.WithLocalMeterProvider(mp))
	alone := ratelimit.NewLocal(ratelimit.WithClock(clock.Now))

	// The victim spends 4 of its burst: its TAT is 2s ahead, though its first
	// request put it in its shard's heap only 500ms ahead.
	victim := ratelimit.Limit{Rate: 2, Period: time.Second, Burst: 10}
	for range 4 {
		want, _ := alone.Allow(ctx, "tenant:acme", victim)
		if got, _ := l.Allow(ctx, "tenant:acme", victim); got != want {
			t.Fatalf("victim decided %+v; alone %+v", got, want)
		}
	}
	// 10000 new keys, one a microsecond, each live for a second after it came.
	flood := ratelimit.Limit{Rate: 1, Period: time.Second, Burst: 1}
	const n = 10000
	for i := range n {
		d, err := l.Allow(ctx, fmt.Sprint("ip:", i), flood)
		if err != nil || !d.Allowed {
			t.Fatalf("new key %d at the cap: %+v %v; want allowed", i, d, err)
		}
		clock.Advance(time.Microsecond)
	}
	if got := l.Len(); got != maxKeys {
		t.Fatalf("Len = %d; want the cap, %d", got, maxKeys)
	}
	if got := localEvictions(t, reader); got != n+1-maxKeys {
		t.Fatalf("%s = %d; want %d (every new key past the cap evicts one)", evictionsMetric, got, n+1-maxKeys)
	}
	// The victim's limit holds: its entry was never the closest to expiry.
	want, _ := alone.Allow(ctx, "tenant:acme", victim)
	if got, _ := l.Allow(ctx, "tenant:acme", victim); got != want || got.Remaining != 5 {
		t.Fatalf("victim after the flood: %+v; alone %+v", got, want)
	}
	// The first flood key was evicted: its limit restarted early. The last is held.
	if d, _ := l.Allow(ctx, "ip:0", flood); !d.Allowed {
		t.Fatalf("evicted key: %+v; want allowed afresh", d)
	}
	if d, _ := l.Allow(ctx, fmt.Sprint("ip:", n-1), flood); d.Allowed {
		t.Fatalf("newest key: %+v; want refused, its entry held", d)
	}

	// Expired entries make room before any live one is evicted, uncounted.
	before := localEvictions(t, reader)
	clock.Advance(time.Minute)
	// 128 new keys, about 2 a shard: only a shard that gets more than the 4 it
	// holds evicts, about 5 times in all (counted if expired entries were evicted: 128).
	for i := range maxKeys / 2 {
		if d, _ := l.Allow(ctx, fmt.Sprint("later:", i), ratelimit.PerMinute(1)); !d.Allowed {
			t.Fatalf("new key refused: %+v", d)
		}
	}
	if got := l.Len(); got > maxKeys {
		t.Fatalf("Len = %d over the cap %d", got, maxKeys)
	}
	if got := localEvictions(t, reader) - before; got >= 32 {
		t.Fatalf("%d evictions for %d new keys where %d entries had expired; want a few", got, maxKeys/2, maxKeys)
	}
}

// TestLocalCapUnderConcurrency: many goroutines, new keys and one shared key, on a
// small cap, under -race. The shared key's entry is never the closest to expiry,
// so it is allowed exactly its burst; Local never holds more than the cap.
func TestLocalCapUnderConcurrency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newFakeClock()
	const maxKeys = 256
	l := ratelimit.NewLocal(ratelimit.WithClock(clock.Now), ratelimit.WithMaxKeys(maxKeys))
	shared := ratelimit.Limit{Rate: 1, Period: time.Hour, Burst: 50}
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				if _, err := l.Allow(ctx, fmt.Sprint("g", g, ".", i), ratelimit.PerSecond(1)); err != nil {
					t.Error(err)
					return
				}
				if i%20 == 0 {
					if d, _ := l.Allow(ctx, "shared", shared); d.Allowed {
						allowed.Add(1)
					}
					clock.Advance(time.Millisecond)
				}
				if n := l.Len(); n > maxKeys {
					t.Errorf("Len = %d over the cap %d", n, maxKeys)
					return
				}
			}
		})
	}
	wg.Wait()
	if got := allowed.Load(); got != 50 {
		t.Fatalf("shared key allowed %d times; want its burst, 50", got)
	}
}

// refusingRedis starts a redis-server that requires a password and returns a
// client without one: Redis answers every command at once with NOAUTH, so each
// decision fails over to the backstop without waiting for a dial to fail.
func refusingRedis(t *testing.T) *redis.Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	cmd := exec.Command("redis-server", "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--requirepass", fmt.Sprint("secret-", port))
	if err := cmd.Start(); err != nil {
		t.Fatalf("redis-server: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprint("127.0.0.1:", port), MaxRetries: -1})
	t.Cleanup(func() { _ = c.Close() })
	for i := 0; ; i++ {
		err := c.Ping(context.Background()).Err()
		if err != nil && strings.HasPrefix(err.Error(), "NOAUTH") {
			return c
		} else if i > 100 {
			t.Fatalf("refusing redis did not start: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRedisFailingBackstopStaysBounded: while Redis fails and the limiter fails
// open, decisions come from the backstop Local, and a flood of new keys meets its
// cap there: the backstop holds no more than its maximum, counts its evictions,
// and a spent key stays limited.
func TestRedisFailingBackstopStaysBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	clock := newFakeClock()
	const maxKeys = 256
	backstop := ratelimit.NewLocal(ratelimit.WithClock(clock.Now), ratelimit.WithMaxKeys(maxKeys), ratelimit.WithLocalMeterProvider(mp))
	r, err := ratelimit.NewRedis(ratelimit.RedisConfig{Client: refusingRedis(t), Timeout: testTimeout, Now: clock.Now, Backstop: backstop, MeterProvider: mp})
	if err != nil {
		t.Fatal(err)
	}
	spent := ratelimit.Limit{Rate: 1, Period: time.Hour, Burst: 2}
	for i, want := range []bool{true, true, false} {
		if d, err := r.Allow(ctx, "tenant:acme", spent); err != nil || !d.Degraded || d.Allowed != want {
			t.Fatalf("request %d of the spent key: %+v %v; want degraded, allowed %v", i, d, err, want)
		}
	}
	const n = 2000
	for i := range n {
		if d, err := r.Allow(ctx, fmt.Sprint("ip:", i), ratelimit.PerSecond(1)); err != nil || !d.Degraded || !d.Allowed {
			t.Fatalf("new key %d: %+v %v; want degraded and allowed", i, d, err)
		}
	}
	if got := backstop.Len(); got > maxKeys {
		t.Fatalf("backstop holds %d keys; cap %d", got, maxKeys)
	}
	if got := localEvictions(t, reader); got < n+1-maxKeys {
		t.Fatalf("%s = %d; want at least %d", evictionsMetric, got, n+1-maxKeys)
	}
	if d, _ := r.Allow(ctx, "tenant:acme", spent); d.Allowed {
		t.Fatalf("spent key after the flood: %+v; want still refused", d)
	}
}
