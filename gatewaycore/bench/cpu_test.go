package bench_test

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time this process has used, user plus system, all
// threads (GC included). On a shared, overloaded machine wall-clock time mostly
// measures the wait for a CPU; CPU time per request is what bounds throughput.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pair measures two alternatives interleaved in blocks: wall and process CPU time.
type pair struct {
	wall, cpu [2]time.Duration
}

func (p *pair) run(which int, n int, f func()) {
	c0, w0 := processCPU(), time.Now()
	for range n {
		f()
	}
	p.wall[which] += time.Since(w0)
	p.cpu[which] += processCPU() - c0
}

// report adds the comparison metrics: per-op costs of base (0) and footing (1),
// the throughput ratio base/footing and the added µs per op, by CPU and by wall time.
func (p *pair) report(b interface {
	ReportMetric(float64, string)
}, n int, base, footing string,
) {
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(n) }
	b.ReportMetric(per(p.cpu[0]), base+"_cpu_ns/op")
	b.ReportMetric(per(p.cpu[1]), footing+"_cpu_ns/op")
	b.ReportMetric(per(p.cpu[0])/per(p.cpu[1]), "cpu_ratio")
	b.ReportMetric((per(p.cpu[1])-per(p.cpu[0]))/1000, "cpu_added_µs/op")
	b.ReportMetric(per(p.wall[0])/per(p.wall[1]), "wall_ratio")
	b.ReportMetric((per(p.wall[1])-per(p.wall[0]))/1000, "wall_added_µs/op")
}
