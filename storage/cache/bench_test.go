package cache_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/footingdev/footing/storage/cache"
)

type benchValue struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Score int    `json:"score"`
}

// BenchmarkHit compares a cache hit through footing (tenant namespace, metrics,
// redisotel) with a bare go-redis GET of the same value, interleaved in one loop so
// both see the same machine noise. ratio = footing time / bare time.
func BenchmarkHit(b *testing.B) {
	opts, err := redis.ParseURL(redisURL())
	if err != nil {
		b.Fatal(err)
	}
	raw := redis.NewClient(opts)
	defer raw.Close()
	// Default wiring: the otel global providers (no-op unless the service sets them).
	prefix := testPrefix(b)
	c, err := cache.Open(cache.Config{RedisURL: redisURL(), Prefix: prefix})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := tenantCtx("bench-tenant")
	typed := cache.For(c, cache.JSON[benchValue]())
	if err := typed.Set(ctx, "k", benchValue{ID: "1", Name: "ada", Score: 7}, cache.WithTTL(time.Hour)); err != nil {
		b.Fatal(err)
	}
	// The bare baseline reads the same stored bytes under the same fully qualified key.
	full, err := cache.DataKey(cache.Prefix(c), "bench-tenant", "k")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := raw.Get(ctx, full).Bytes(); err != nil {
		b.Fatalf("bare GET of %s: %v", full, err)
	}

	b.Run("bytes", func(b *testing.B) {
		interleave(b, func() {
			if _, err := raw.Get(ctx, full).Bytes(); err != nil {
				b.Fatal(err)
			}
		}, func() {
			if _, ok, _ := c.Get(ctx, "k"); !ok {
				b.Fatal("miss")
			}
		})
	})
	b.Run("typed-json", func(b *testing.B) {
		interleave(b, func() {
			data, err := raw.Get(ctx, full).Bytes()
			if err != nil {
				b.Fatal(err)
			}
			var v benchValue
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}, func() {
			if _, ok, _ := typed.Get(ctx, "k"); !ok {
				b.Fatal("miss")
			}
		})
	})
}

// BenchmarkLocalHit measures a hit in the in-process tier in front of Redis, and in
// the in-memory backend.
func BenchmarkLocalHit(b *testing.B) {
	ctx := tenantCtx("bench-tenant")
	b.Run("local-tier", func(b *testing.B) {
		// Default wiring (global otel providers), as BenchmarkHit.
		cfg := cache.Config{RedisURL: redisURL(), Prefix: testPrefix(b), LocalMaxEntries: 1000}
		r, err := cache.NewRedis(cfg)
		if err != nil {
			b.Fatal(err)
		}
		defer r.Close()
		c := cache.New(r, cfg)
		for !cache.LocalLive(r) {
			time.Sleep(time.Millisecond)
		}
		if err := c.Set(ctx, "k", []byte("value"), cache.WithTTL(time.Hour)); err != nil {
			b.Fatal(err)
		}
		for cache.LocalLen(r) == 0 { // the first reads fill the tier
			c.Get(ctx, "k")
			time.Sleep(time.Millisecond)
		}
		for b.Loop() {
			if _, ok, _ := c.Get(ctx, "k"); !ok {
				b.Fatal("miss")
			}
		}
	})
	b.Run("memory-backend", func(b *testing.B) {
		c := cache.New(cache.NewMemory(1000), cache.Config{})
		if err := c.Set(ctx, "k", []byte("value")); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, ok, _ := c.Get(ctx, "k"); !ok {
				b.Fatal("miss")
			}
		}
	})
}

// interleave runs bare and footing alternately b.N times and reports each one's
// ns/op and their ratio.
func interleave(b *testing.B, bare, footing func()) {
	b.Helper()
	var tb, tf time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		bare()
		t1 := time.Now()
		footing()
		tf += time.Since(t1)
		tb += t1.Sub(t0)
	}
	b.ReportMetric(float64(tb.Nanoseconds())/float64(b.N), "bare-ns/op")
	b.ReportMetric(float64(tf.Nanoseconds())/float64(b.N), "footing-ns/op")
	b.ReportMetric(float64(tf)/float64(tb), "ratio")
}
