package instrument_test

import (
	"runtime"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// BenchmarkInstrConnectUnary is BenchmarkConnectUnary for instruction counting
// (scripts/bench-instructions runs it under callgrind): each sub-benchmark runs
// one side only, without the interleaving of internal/benchcmp, so that a whole
// process run counts the instructions of that side. Every sub-benchmark builds
// the same handlers (bare, sampled, unsampled) and warms the one it measures, so
// the processes differ only in what the loop calls. Read it through the script:
// the difference between two iteration counts, divided by the difference in
// calls, is the instructions per request, setup and framework cancelled.
func BenchmarkInstrConnectUnary(b *testing.B) {
	for _, side := range []string{"bare", "sampled", "unsampled"} {
		b.Run(side, func(b *testing.B) {
			calls := map[string]func(){
				"bare":      unaryCaller(b, bareHandler()),
				"sampled":   unaryCaller(b, instrumentedHandler(b, sdktrace.ParentBased(sdktrace.AlwaysSample()))),
				"unsampled": unaryCaller(b, instrumentedHandler(b, sdktrace.ParentBased(sdktrace.NeverSample()))),
			}
			call := calls[side]
			for range 100 { // warm pools and caches of the measured side
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
// that the setup is not counted.
//
//go:noinline
func instrLoopStart() {}

//go:noinline
func instrLoopEnd() {}
