// Package benchcmp runs a footing code path and its bare baseline in the same
// benchmark, interleaved in short chunks so that a machine whose load changes
// during the run slows both alike, and reports medians. Time is the CPU time of
// the calling thread (CLOCK_THREAD_CPUTIME_ID, with the goroutine locked to its
// thread), so that other processes on a shared machine do not count; work the
// runtime does on other threads (most of the garbage collector's) does not
// count either.
package benchcmp

import (
	"runtime"
	"slices"
)

// Chunk is how many calls run back to back before switching sides.
const Chunk = 256

// Result is the comparison of one run.
type Result struct {
	// BaseNs and SubjectNs are the median time per call, over the chunks.
	BaseNs, SubjectNs float64
	// BaseAllocs and SubjectAllocs are the heap allocations per call.
	BaseAllocs, SubjectAllocs float64
}

// Ratio is SubjectNs / BaseNs.
func (r Result) Ratio() float64 { return r.SubjectNs / r.BaseNs }

// AddedNs is SubjectNs - BaseNs.
func (r Result) AddedNs() float64 { return r.SubjectNs - r.BaseNs }

// AddedAllocs is SubjectAllocs - BaseAllocs.
func (r Result) AddedAllocs() float64 { return r.SubjectAllocs - r.BaseAllocs }

// Compare calls base and subject n times each, alternating chunks of [Chunk]
// calls.
func Compare(n int, base, subject func()) Result {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var r Result
	var bt, st []float64
	var bm, sm uint64
	for done := 0; done < n; done += Chunk {
		k := min(Chunk, n-done)
		ns, m := run(k, base)
		bt, bm = append(bt, ns), bm+m
		ns, m = run(k, subject)
		st, sm = append(st, ns), sm+m
	}
	r.BaseNs, r.SubjectNs = median(bt), median(st)
	r.BaseAllocs, r.SubjectAllocs = float64(bm)/float64(n), float64(sm)/float64(n)
	return r
}

func run(k int, f func()) (nsPerCall float64, mallocs uint64) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := threadTime()
	for range k {
		f()
	}
	elapsed := threadTime() - start
	runtime.ReadMemStats(&after)
	return float64(elapsed) / float64(k), after.Mallocs - before.Mallocs
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	return xs[len(xs)/2]
}
