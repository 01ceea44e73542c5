package bench_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// BenchmarkChainVsBare serves the same connect-go unary call (Health/Check, Connect
// protocol, JSON) with the bare handler and behind the full chain, in one process,
// through ServeHTTP (no network, so the chain's share is not diluted by it). It
// reports both costs, their throughput ratio (bare/chain) and the time the chain adds.
func BenchmarkChainVsBare(b *testing.B) {
	bare := bareHandler()
	f := fullChain(b, ratelimit.Limit{Rate: 1 << 40, Period: time.Second}, io.Discard)
	serve := func(h http.Handler, token string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, newCheck(token))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	}
	serve(f.handler, f.token) // warm the JWKS and verified-token caches
	var p pair
	b.ReportAllocs()
	b.ResetTimer()
	const block = 256
	for i := 0; i < b.N; i += block {
		n := min(block, b.N-i)
		p.run(0, n, func() { serve(bare, "") })
		p.run(1, n, func() { serve(f.handler, f.token) })
	}
	p.report(b, b.N, "bare", "chain")
}

// BenchmarkChainParallel is BenchmarkChainVsBare's chain under RunParallel, for
// contention in the shared parts (rate-limit shards, token cache, metrics).
func BenchmarkChainParallel(b *testing.B) {
	for _, tc := range []struct {
		name  string
		chain bool
	}{{"bare", false}, {"chain", true}} {
		b.Run(tc.name, func(b *testing.B) {
			f := fullChain(b, ratelimit.Limit{Rate: 1 << 40, Period: time.Second}, io.Discard)
			h, token := bareHandler(), ""
			if tc.chain {
				h, token = f.handler, f.token
			}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, newCheck(token))
					if rec.Code != http.StatusOK {
						b.Errorf("status %d", rec.Code)
						return
					}
				}
			})
		})
	}
}

func benchRedis(b *testing.B) *redis.Client {
	b.Helper()
	u := os.Getenv("TEST_REDIS_URL")
	if u == "" {
		u = "redis://127.0.0.1:6379/0"
	}
	opts, err := redis.ParseURL(u)
	if err != nil {
		b.Fatal(err)
	}
	c := redis.NewClient(opts)
	if err := c.Ping(context.Background()).Err(); err != nil {
		b.Fatalf("TEST_REDIS_URL: %v", err)
	}
	b.Cleanup(func() { _ = c.Close() })
	return c
}

// BenchmarkRedisDecisionVsRaw compares one Redis rate-limit decision (EVALSHA of
// the GCRA script, Redis's clock) with a raw go-redis GET round trip, and with an
// EVALSHA of a script that only returns 1 (the floor for any one-round-trip atomic
// decision), on the same client, interleaved in blocks of 64 calls. Each call is
// timed on its own: the ratios are of the medians (p50) — on a shared machine a
// scheduling stall of a few ms lands in one call and moves a mean, not a median — and
// of the means.
func BenchmarkRedisDecisionVsRaw(b *testing.B) {
	c := benchRedis(b)
	ctx := context.Background()
	prefix := "bench:ratelimit:" + time.Now().Format("150405.000000") + ":"
	b.Cleanup(func() { c.Del(context.Background(), prefix+"k", prefix+"raw") })
	l, err := ratelimit.NewRedis(ratelimit.RedisConfig{Timeout: testTimeout, Client: c, Prefix: prefix})
	if err != nil {
		b.Fatal(err)
	}
	limit := ratelimit.Limit{Rate: 1 << 40, Period: time.Second}
	if _, err := l.Allow(ctx, "k", limit); err != nil { // loads the script
		b.Fatal(err)
	}
	noop := redis.NewScript("return 1")
	if err := noop.Run(ctx, c, []string{prefix + "raw"}).Err(); err != nil {
		b.Fatal(err)
	}
	c.Set(ctx, prefix+"raw", "1", time.Minute)
	get := make(latencies, 0, b.N)
	script := make(latencies, 0, b.N)
	decision := make(latencies, 0, b.N)
	b.ResetTimer()
	const block = 64
	for i := 0; i < b.N; i += block {
		n := min(block, b.N-i)
		get.run(n, func() {
			if err := c.Get(ctx, prefix+"raw").Err(); err != nil {
				b.Fatal(err)
			}
		})
		script.run(n, func() {
			if err := noop.Run(ctx, c, []string{prefix + "raw"}).Err(); err != nil {
				b.Fatal(err)
			}
		})
		decision.run(n, func() {
			d, err := l.Allow(ctx, "k", limit)
			if err != nil || !d.Allowed || d.Degraded {
				b.Fatalf("decision %+v %v", d, err)
			}
		})
	}
	b.StopTimer()
	b.ReportMetric(get.median(), "get_p50_ns")
	b.ReportMetric(script.median(), "evalsha_noop_p50_ns")
	b.ReportMetric(decision.median(), "decision_p50_ns")
	b.ReportMetric(decision.median()/get.median(), "p50_decision/get")
	b.ReportMetric(decision.median()/script.median(), "p50_decision/evalsha_noop")
	b.ReportMetric(decision.mean()/get.mean(), "mean_decision/get")
}

// latencies collects one wall time per call.
type latencies []time.Duration

// run calls f n times, timing each call.
func (l *latencies) run(n int, f func()) {
	for range n {
		t0 := time.Now()
		f()
		*l = append(*l, time.Since(t0))
	}
}

// median is the p50 in ns.
func (l latencies) median() float64 {
	s := slices.Clone(l)
	slices.Sort(s)
	return float64(s[len(s)/2].Nanoseconds())
}

// mean is the average in ns.
func (l latencies) mean() float64 {
	var sum time.Duration
	for _, d := range l {
		sum += d
	}
	return float64(sum.Nanoseconds()) / float64(len(l))
}

// BenchmarkLocalAllow is one in-process decision, under contention across keys.
func BenchmarkLocalAllow(b *testing.B) {
	l := ratelimit.NewLocal()
	limit := ratelimit.Limit{Rate: 1 << 40, Period: time.Second}
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = "tenant:" + string(rune('a'+i%26)) + time.Duration(i).String()
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if d, _ := l.Allow(context.Background(), keys[i%len(keys)], limit); !d.Allowed {
				b.Error("refused")
				return
			}
			i++
		}
	})
}
