package bench_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"connectrpc.com/connect"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"

	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/gatewaycore/chain"
	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// chainStep is a prefix of the full chain (or, for the last, the chain without
// observability's middleware).
type chainStep struct {
	name string
	c    chain.Chain
}

// chainSteps adds the steps of full one group at a time.
func chainSteps(full chain.Chain) []chainStep {
	return []chainStep{
		{"0_bare", chain.Chain{}},
		{"1_recover_metadata", chain.Chain{Recover: full.Recover, Metadata: full.Metadata}},
		{"2_+trace_metrics_log", chain.Chain{Recover: full.Recover, Metadata: full.Metadata, Trace: full.Trace}},
		{"3_+cors_bodylimit", chain.Chain{Recover: full.Recover, Metadata: full.Metadata, Trace: full.Trace, CORS: full.CORS, BodyLimit: full.BodyLimit}},
		{"4_+auth", chain.Chain{Recover: full.Recover, Metadata: full.Metadata, Trace: full.Trace, CORS: full.CORS, BodyLimit: full.BodyLimit, Auth: full.Auth}},
		{"5_+ratelimit_timeout", full},
		{"6_footing_only_no_otel", chain.Chain{Recover: full.Recover, Metadata: full.Metadata, CORS: full.CORS, BodyLimit: full.BodyLimit, Auth: full.Auth, RateLimit: full.RateLimit, Timeout: full.Timeout}},
	}
}

// BenchmarkChainSteps adds the chain's steps one at a time, so each step's cost is
// the difference between neighbouring lines.
func BenchmarkChainSteps(b *testing.B) {
	f := fullChain(b, ratelimit.Limit{Rate: 1 << 40, Period: time.Second}, io.Discard)
	for _, st := range chainSteps(f.chain) {
		b.Run(st.name, func(b *testing.B) {
			h := st.c.Then(bareHandler())
			token := ""
			if st.c.Auth != nil {
				token = f.token
			}
			b.ReportAllocs()
			c0, n := processCPU(), 0
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, newCheck(token))
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
				n++
			}
			b.ReportMetric(float64((processCPU()-c0).Nanoseconds())/float64(n), "cpu_ns/op")
		})
	}
}

// BenchmarkChainStepsInterleaved serves the same steps as BenchmarkChainSteps in
// one benchmark, each step for a block of requests in turn, so that every step sees
// the same machine load (the sub-benchmarks above run minutes apart on a shared
// machine). It reports, per step, process CPU time and allocations per request
// (runtime.MemStats.Mallocs over the step's blocks).
func BenchmarkChainStepsInterleaved(b *testing.B) {
	f := fullChain(b, ratelimit.Limit{Rate: 1 << 40, Period: time.Second}, io.Discard)
	steps := chainSteps(f.chain)
	handlers, tokens := make([]http.Handler, len(steps)), make([]string, len(steps))
	for i, st := range steps {
		handlers[i] = st.c.Then(bareHandler())
		if st.c.Auth != nil {
			tokens[i] = f.token
		}
	}
	serve := func(h http.Handler, token string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, newCheck(token))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
	for i := range steps { // warm every step's caches
		serve(handlers[i], tokens[i])
	}
	cpu, mallocs := make([]time.Duration, len(steps)), make([]uint64, len(steps))
	var ms runtime.MemStats
	b.ResetTimer()
	const block = 128
	for done := 0; done < b.N; done += block {
		n := min(block, b.N-done)
		for i := range steps {
			runtime.ReadMemStats(&ms)
			m0, c0 := ms.Mallocs, processCPU()
			for range n {
				serve(handlers[i], tokens[i])
			}
			cpu[i] += processCPU() - c0
			runtime.ReadMemStats(&ms)
			mallocs[i] += ms.Mallocs - m0
		}
	}
	for i, st := range steps {
		b.ReportMetric(float64(cpu[i].Nanoseconds())/float64(b.N), st.name+"_cpu_ns/op")
		b.ReportMetric(float64(mallocs[i])/float64(b.N), st.name+"_allocs/op")
	}
}

// BenchmarkChainVsBareNetwork makes the same comparison through real servers on
// loopback (HTTP/1.1 keep-alive, a connect-go client): the throughput a caller sees,
// as process CPU (client and server) per call, bare and chain interleaved in blocks.
// Both servers get the same request, browser origin and bearer token included (the
// bare handler ignores them), as BenchmarkInstrChainVsBareNetwork does. "gzip" serves
// the handler with connect-go's defaults, which gzip even the 20-byte answer (about
// 75 µs of CPU a call here, BenchmarkSmallResponseCompression); "1k" with the 1 KiB
// compression minimum footing's own handlers use, where the chain's share shows more.
func BenchmarkChainVsBareNetwork(b *testing.B) {
	for _, tc := range []struct {
		name    string
		handler func() http.Handler
	}{{"gzip", bareHandler}, {"1k", uncompressedHandler}} {
		b.Run(tc.name, func(b *testing.B) {
			f := fullChain(b, ratelimit.Limit{Rate: 1 << 40, Period: time.Second}, io.Discard)
			bareSrv := httptest.NewServer(tc.handler())
			chainSrv := httptest.NewServer(f.chain.Then(tc.handler()))
			b.Cleanup(bareSrv.Close)
			b.Cleanup(chainSrv.Close)
			bare := healthv1connect.NewHealthClient(bareSrv.Client(), bareSrv.URL)
			full := healthv1connect.NewHealthClient(chainSrv.Client(), chainSrv.URL)
			ctx := context.Background()
			call := func(c healthv1connect.HealthClient) {
				req := connect.NewRequest(&healthv1.HealthCheckRequest{})
				req.Header().Set("Origin", origin)
				req.Header().Set("Authorization", "Bearer "+f.token)
				if _, err := c.Check(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
			for range 100 { // warm the connections, the caches and the pools
				call(bare)
				call(full)
			}
			var p pair
			b.ResetTimer()
			const block = 64
			for i := 0; i < b.N; i += block {
				n := min(block, b.N-i)
				p.run(0, n, func() { call(bare) })
				p.run(1, n, func() { call(full) })
			}
			p.report(b, b.N, "bare", "chain")
		})
	}
}
