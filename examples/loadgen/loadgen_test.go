package loadgen

import (
	"bufio"
	"context"
	"errors"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunSendsEveryScheduledRequestByWeight(t *testing.T) {
	t.Parallel()
	var gets, creates atomic.Int64
	res, err := Run(context.Background(), Config{Rate: 400, Duration: 250 * time.Millisecond},
		Op{Name: "get", Weight: 3, Do: func(context.Context) error { gets.Add(1); return nil }},
		Op{Name: "create", Weight: 1, Do: func(context.Context) error { creates.Add(1); return errors.New("boom") }},
	)
	if err != nil {
		t.Fatal(err)
	}
	// 400/s for 0.25 s is 100 requests, three gets to one create.
	if res.Requests != 100 || gets.Load() != 75 || creates.Load() != 25 {
		t.Fatalf("requests=%d gets=%d creates=%d; want 100, 75, 25", res.Requests, gets.Load(), creates.Load())
	}
	if res.Errors != 25 || res.Ops[1].Errors != 25 || res.Ops[0].Errors != 0 {
		t.Fatalf("errors = %d (ops %+v)", res.Errors, res.Ops)
	}
	if len(res.Ops[1].FirstErrors) != 1 || res.Ops[1].FirstErrors[0] != "boom" {
		t.Fatalf("first errors = %q", res.Ops[1].FirstErrors)
	}
}

func TestRunCountsLateStartsWhenSaturated(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var started atomic.Int64
	go func() {
		for started.Load() < 2 {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond) // Long past the 50 ms schedule.
		close(release)
	}()
	res, err := Run(context.Background(), Config{Rate: 1000, Duration: 50 * time.Millisecond, MaxInFlight: 2},
		Op{Name: "slow", Do: func(context.Context) error { started.Add(1); <-release; return nil }},
	)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests+res.Late != 50 || res.Requests < 2 || res.Late == 0 {
		t.Fatalf("requests=%d late=%d; want every one of 50 starts either sent or counted late, some late", res.Requests, res.Late)
	}
}

func TestConfigValidateReportsAll(t *testing.T) {
	t.Parallel()
	err := Config{Rate: -1, Duration: 0, MaxInFlight: -3}.Validate()
	for _, want := range []string{"Rate", "Duration", "MaxInFlight"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("Validate() = %v; want a problem naming %s", err, want)
		}
	}
}

func TestPercentiles(t *testing.T) {
	t.Parallel()
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	p50, p99, mx := percentiles(d)
	if p50 != 50*time.Millisecond || p99 != 99*time.Millisecond || mx != 100*time.Millisecond {
		t.Fatalf("p50=%v p99=%v max=%v", p50, p99, mx)
	}
}

func TestPeakRSSOfThisProcess(t *testing.T) {
	t.Parallel()
	n, err := PeakRSS(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if n < 1<<20 {
		t.Fatalf("peak RSS %d bytes is implausibly small for a Go test binary", n)
	}
	if _, err := parseVmHWM(bufio.NewScanner(strings.NewReader("VmHWM:\t12 MB\n"))); err == nil {
		t.Fatal("accepted a VmHWM line in MB")
	}
}
