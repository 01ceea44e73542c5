package bench_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"connectrpc.com/connect"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"

	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/gatewaycore/chain"
	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// BenchmarkChainSteps adds the chain's steps one at a time, so each step's cost is
// the difference between neighbouring lines.
func BenchmarkChainSteps(b *testing.B) {
	f := fullChain(b, ratelimit.Limit{Rate: 1 << 40, Period: time.Second}, io.Discard)
	full := f.chain
	steps := []struct {
		name string
		c    chain.Chain
	}{
		{"0_bare", chain.Chain{}},
		{"1_recover_metadata", chain.Chain{Recover: full.Recover, Metadata: full.Metadata}},
		{"2_+trace_metrics_log", chain.Chain{Recover: full.Recover, Metadata: full.Metadata, Trace: full.Trace}},
		{"3_+cors_bodylimit", chain.Chain{Recover: full.Recover, Metadata: full.Metadata, Trace: full.Trace, CORS: full.CORS, BodyLimit: full.BodyLimit}},
		{"4_+auth", chain.Chain{Recover: full.Recover, Metadata: full.Metadata, Trace: full.Trace, CORS: full.CORS, BodyLimit: full.BodyLimit, Auth: full.Auth}},
		{"5_+ratelimit_timeout", full},
		{"6_footing_only_no_otel", chain.Chain{Recover: full.Recover, Metadata: full.Metadata, CORS: full.CORS, BodyLimit: full.BodyLimit, Auth: full.Auth, RateLimit: full.RateLimit, Timeout: full.Timeout}},
	}
	for _, st := range steps {
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

// BenchmarkChainVsBareNetwork makes the same comparison through real servers on
// loopback (HTTP/1.1 keep-alive, a connect-go client): the throughput a caller sees.
func BenchmarkChainVsBareNetwork(b *testing.B) {
	f := fullChain(b, ratelimit.Limit{Rate: 1 << 40, Period: time.Second}, io.Discard)
	origin := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Header.Set("Origin", "https://app.example.com")
			next.ServeHTTP(w, r)
		})
	}
	bareSrv := httptest.NewServer(bareHandler())
	chainSrv := httptest.NewServer(origin(f.handler))
	b.Cleanup(bareSrv.Close)
	b.Cleanup(chainSrv.Close)
	bare := healthv1connect.NewHealthClient(bareSrv.Client(), bareSrv.URL)
	full := healthv1connect.NewHealthClient(chainSrv.Client(), chainSrv.URL)
	ctx := context.Background()
	call := func(c healthv1connect.HealthClient, token string) {
		req := connect.NewRequest(&healthv1.HealthCheckRequest{})
		if token != "" {
			req.Header().Set("Authorization", "Bearer "+token)
		}
		if _, err := c.Check(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
	call(full, f.token)
	var p pair
	b.ResetTimer()
	const block = 64
	for i := 0; i < b.N; i += block {
		n := min(block, b.N-i)
		p.run(0, n, func() { call(bare, "") })
		p.run(1, n, func() { call(full, f.token) })
	}
	p.report(b, b.N, "bare", "chain")
}
