package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// An Op is one kind of request the generator sends. Do is called concurrently.
type Op struct {
	Name   string
	Weight int // relative share of requests; 0 counts as 1
	Do     func(ctx context.Context) error
}

// Config says how hard and how long to drive.
type Config struct {
	Rate        float64       // requests per second, over all ops
	Duration    time.Duration // how long to send
	MaxInFlight int           // bound on concurrent requests; 0 means 256
}

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	var problems []error
	if !(c.Rate > 0) || math.IsInf(c.Rate, 0) {
		problems = append(problems, fmt.Errorf("loadgen: Rate must be a positive number, got %v", c.Rate))
	}
	if c.Duration <= 0 {
		problems = append(problems, fmt.Errorf("loadgen: Duration must be positive, got %v", c.Duration))
	}
	if c.MaxInFlight < 0 {
		problems = append(problems, fmt.Errorf("loadgen: MaxInFlight must not be negative, got %d", c.MaxInFlight))
	}
	return errors.Join(problems...)
}

// OpResult is what happened to one op's requests.
type OpResult struct {
	Name     string
	Requests int
	Errors   int
	// FirstErrors keeps up to five distinct error texts, to say what went wrong.
	FirstErrors []string
	P50, P99    time.Duration
	Max         time.Duration
}

// Result is the outcome of a run.
type Result struct {
	Elapsed    time.Duration
	Requests   int
	Errors     int
	Late       int // scheduled starts skipped because MaxInFlight requests were running
	Throughput float64
	P50, P99   time.Duration
	Ops        []OpResult
}

type sample struct {
	op      int
	latency time.Duration
	err     error
}

// Run sends ops at cfg.Rate for cfg.Duration, choosing ops by weight in a fixed
// round-robin pattern (deterministic, no randomness), and waits for the requests
// in flight before it returns. Cancelling ctx stops the run early.
func Run(ctx context.Context, cfg Config, ops ...Op) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	if len(ops) == 0 {
		return Result{}, errors.New("loadgen: no ops")
	}
	maxInFlight := cfg.MaxInFlight
	if maxInFlight == 0 {
		maxInFlight = 256
	}
	var schedule []int
	for i, op := range ops {
		for range max(op.Weight, 1) {
			schedule = append(schedule, i)
		}
	}

	interval := time.Duration(float64(time.Second) / cfg.Rate)
	total := int(cfg.Rate * cfg.Duration.Seconds())
	sem := make(chan struct{}, maxInFlight)
	samples := make(chan sample, maxInFlight)
	var collected []sample
	var collector sync.WaitGroup
	collector.Go(func() {
		for s := range samples {
			collected = append(collected, s)
		}
	})

	var wg sync.WaitGroup
	late := 0
	start := time.Now()
	for n := range total {
		due := start.Add(time.Duration(n) * interval)
		if d := time.Until(due); d > 0 {
			timer := time.NewTimer(d)
			select {
			case <-ctx.Done():
				timer.Stop()
			case <-timer.C:
			}
		}
		if ctx.Err() != nil {
			break
		}
		select {
		case sem <- struct{}{}:
		default:
			late++
			continue
		}
		op := schedule[n%len(schedule)]
		wg.Go(func() {
			defer func() { <-sem }()
			t0 := time.Now()
			err := ops[op].Do(ctx)
			samples <- sample{op: op, latency: time.Since(t0), err: err}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(samples)
	collector.Wait()
	return summarize(ops, collected, late, elapsed), nil
}

func summarize(ops []Op, samples []sample, late int, elapsed time.Duration) Result {
	res := Result{Elapsed: elapsed, Requests: len(samples), Late: late}
	res.Throughput = float64(len(samples)) / elapsed.Seconds()
	all := make([]time.Duration, 0, len(samples))
	perOp := make([][]time.Duration, len(ops))
	res.Ops = make([]OpResult, len(ops))
	for i, op := range ops {
		res.Ops[i].Name = op.Name
	}
	for _, s := range samples {
		all = append(all, s.latency)
		perOp[s.op] = append(perOp[s.op], s.latency)
		o := &res.Ops[s.op]
		o.Requests++
		if s.err != nil {
			o.Errors++
			res.Errors++
			if msg := s.err.Error(); len(o.FirstErrors) < 5 && !slices.Contains(o.FirstErrors, msg) {
				o.FirstErrors = append(o.FirstErrors, msg)
			}
		}
	}
	res.P50, res.P99, _ = percentiles(all)
	for i := range res.Ops {
		res.Ops[i].P50, res.Ops[i].P99, res.Ops[i].Max = percentiles(perOp[i])
	}
	return res
}

// percentiles returns the 50th and 99th percentile (nearest rank) and the maximum.
func percentiles(d []time.Duration) (p50, p99, maxLatency time.Duration) {
	if len(d) == 0 {
		return 0, 0, 0
	}
	slices.Sort(d)
	rank := func(p float64) time.Duration {
		i := int(math.Ceil(p*float64(len(d)))) - 1
		return d[min(max(i, 0), len(d)-1)]
	}
	return rank(0.50), rank(0.99), d[len(d)-1]
}
