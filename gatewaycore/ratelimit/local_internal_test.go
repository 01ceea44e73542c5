package ratelimit

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
	"unsafe"

	"github.com/redis/go-redis/v9"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// TestLocalShardInvariants drives one Local through random keys, limits and clock
// steps on a small cap and checks, after every decision, what the lazy heap relies
// on: each shard's heap is a min-heap holding each of its keys once, at a TAT no
// later than the key's own, and no shard holds more than its share of the cap.
func TestLocalShardInvariants(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	l := NewLocal(WithClock(func() time.Time { return now }), WithMaxKeys(3*localShards))
	rng := rand.New(rand.NewPCG(1, 2))
	limits := []Limit{PerSecond(1), {Rate: 10, Period: time.Second, Burst: 3}, {Rate: 1, Period: time.Minute, Burst: 5}}
	for i := range 20000 {
		now = now.Add(time.Duration(rng.IntN(int(20 * time.Millisecond))))
		key := fmt.Sprint("k", rng.IntN(2000))
		if _, err := l.Allow(context.Background(), key, limits[rng.IntN(len(limits))]); err != nil {
			t.Fatal(err)
		}
		s := &l.shards[shardOf(l, key)]
		if len(s.tats) > l.perShard || len(s.heap) != len(s.tats) {
			t.Fatalf("step %d: %d keys, %d in the heap, cap %d a shard", i, len(s.tats), len(s.heap), l.perShard)
		}
		seen := map[string]bool{}
		for j, e := range s.heap {
			if j > 0 && s.heap[(j-1)/2].at > e.at {
				t.Fatalf("step %d: heap order broken at %d", i, j)
			}
			tat, ok := s.tats[e.key]
			if !ok || seen[e.key] || e.at > tat {
				t.Fatalf("step %d: heap entry %+v: held %v, seen %v, TAT %d", i, e, ok, seen[e.key], tat)
			}
			seen[e.key] = true
		}
	}
}

func shardOf(l *Local, key string) int {
	for i := range l.shards {
		if _, ok := l.shards[i].tats[key]; ok {
			return i
		}
	}
	return 0
}

// TestRedisDefaultBackstopIsBounded: the Local a Redis limiter answers from while
// Redis is down holds DefaultMaxKeys keys at most, and records its evictions with
// the Redis limiter's MeterProvider.
func TestRedisDefaultBackstopIsBounded(t *testing.T) {
	t.Parallel()
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { _ = client.Close() })
	mp := sdkmetric.NewMeterProvider()
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	r, err := NewRedis(RedisConfig{Client: client, MeterProvider: mp})
	if err != nil {
		t.Fatal(err)
	}
	b, ok := r.cfg.Backstop.(*Local)
	if !ok {
		t.Fatalf("default backstop %T; want a *Local", r.cfg.Backstop)
	}
	if b.perShard*localShards != DefaultMaxKeys || b.mp != mp {
		t.Fatalf("default backstop: %d keys a shard, meter provider %p; want %d keys in all, recorded with %p",
			b.perShard, b.mp, DefaultMaxKeys, mp)
	}
}

// TestLocalGivesMemoryBackAfterAFlood: Go maps and slices keep their size when
// entries are deleted, so after a flood of keys expired Local still held the
// memory of its peak (up to the cap, about 30 MB by default) for good. A shard
// whose keys fall below a quarter of its peak now moves them to a map and heap of
// their size.
func TestLocalGivesMemoryBackAfterAFlood(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	l := NewLocal(WithClock(func() time.Time { return now }))
	ctx := context.Background()
	for i := range 64 * 1000 {
		if _, err := l.Allow(ctx, fmt.Sprint("flood:", i), PerSecond(1)); err != nil {
			t.Fatal(err)
		}
	}
	// Later, ordinary traffic: 1000 keys a minute, each gone within the minute.
	for round := range 40 {
		now = now.Add(time.Minute)
		for i := range 1000 {
			if _, err := l.Allow(ctx, fmt.Sprint("later:", round, ":", i), PerSecond(1)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := range l.shards {
		s := &l.shards[i]
		if len(s.tats) > 100 || cap(s.heap) > 256 {
			t.Fatalf("shard %d holds %d keys in a heap of capacity %d; want the capacity to follow the keys", i, len(s.tats), cap(s.heap))
		}
	}
}

// TestShardsFillCacheLines: a shard's padding keeps two shards' mutexes off one
// cache line; it must follow the fields.
func TestShardsFillCacheLines(t *testing.T) {
	t.Parallel()
	if size := unsafe.Sizeof(shard{}); size%64 != 0 {
		t.Fatalf("a shard is %d bytes; want a multiple of 64", size)
	}
}
