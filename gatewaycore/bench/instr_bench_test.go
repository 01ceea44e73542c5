package bench_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

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
