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
	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// BenchmarkInstrChainVsBare is BenchmarkChainVsBare for instruction counting
// (scripts/bench-instructions runs it under callgrind): each sub-benchmark serves
// the same call through one side only, bare handler or full chain, not
// interleaved, so that a whole process run counts the instructions of that side.
// Both sub-benchmarks build both sides (the same process state, as in
// BenchmarkChainVsBare) and warm the one they measure. Read it through the
// script: the difference between two iteration counts, divided by the difference
// in calls, is the instructions per request, setup and framework cancelled.
func BenchmarkInstrChainVsBare(b *testing.B) {
	for _, side := range []string{"bare", "chain"} {
		b.Run(side, func(b *testing.B) {
			bare := bareHandler()
			f := fullChain(b, ratelimit.Limit{Rate: 1 << 40, Period: time.Second}, io.Discard)
			h, token := bare, ""
			if side == "chain" {
				h, token = f.handler, f.token
			}
			serve := func() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, newCheck(token))
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
				}
			}
			for range 100 { // warm the JWKS and verified-token caches, and pools
				serve()
			}
			runtime.GC()
			b.ReportAllocs()
			b.ResetTimer()
			instrLoopStart()
			for range b.N {
				serve()
			}
			instrLoopEnd()
		})
	}
}

// BenchmarkInstrChainVsBareNetwork is BenchmarkInstrChainVsBare over loopback:
// a connect-go client calls an httptest server (HTTP/1.1, keep-alive) in the same
// process, serving the bare handler or the full chain, so that the count covers
// what a real call costs on both ends (the client's request, the server's
// parsing, the response headers the chain adds, the client's reading of them).
// Both sides get the same request, browser origin and bearer token included: the
// bare handler ignores them, and the difference is what the chain does with them,
// not what the caller sends. Callgrind counts user-space instructions only; the
// system calls (one write and one read a side per call, the same for both sides)
// are not in the count.
func BenchmarkInstrChainVsBareNetwork(b *testing.B) {
	// bare and chain serve the handler with connect-go's defaults, which gzip every
	// answer a client accepts gzip for (the 20-byte one too: ~75 µs of CPU a call);
	// bare-1k and chain-1k serve it with the 1 KiB compression minimum footing's own
	// handlers use and its README recommends, so the bare call costs less and the
	// chain's share shows more.
	for _, side := range []string{"bare", "chain", "bare-1k", "chain-1k"} {
		b.Run(side, func(b *testing.B) {
			f := fullChain(b, ratelimit.Limit{Rate: 1 << 40, Period: time.Second}, io.Discard)
			var h http.Handler
			switch side {
			case "bare":
				h = bareHandler()
			case "chain":
				h = f.handler
			case "bare-1k":
				h = uncompressedHandler()
			case "chain-1k":
				h = f.chain.Then(uncompressedHandler())
			}
			srv := httptest.NewServer(h)
			b.Cleanup(srv.Close)
			client := healthv1connect.NewHealthClient(srv.Client(), srv.URL)
			ctx := context.Background()
			call := func() {
				req := connect.NewRequest(&healthv1.HealthCheckRequest{})
				req.Header().Set("Origin", origin)
				req.Header().Set("Authorization", "Bearer "+f.token)
				if _, err := client.Check(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
			for range 100 { // warm the connection, the caches and the pools
				call()
			}
			runtime.GC()
			b.ReportAllocs()
			b.ResetTimer()
			instrLoopStart()
			for range b.N {
				call()
			}
			instrLoopEnd()
		})
	}
}

// instrLoopStart and instrLoopEnd mark the measured loop for callgrind:
// scripts/bench-instructions zeroes the counters on entering the first
// (--zero-before) and dumps them on entering the second (--dump-before), so
// that the setup is not counted (fullChain's test issuer generates an RSA key,
// whose prime search costs a random number of instructions).
//
//go:noinline
func instrLoopStart() {}

//go:noinline
func instrLoopEnd() {}
