package health_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"

	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/gatewaycore/health"
)

// fakeClock is the clock of a Checker under test: time moves only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// counting wraps check to count its runs in n.
func counting(n *atomic.Int64, check health.Check) health.Check {
	return func(ctx context.Context) error {
		n.Add(1)
		return check(ctx)
	}
}

// gated is a check that passes when gate is closed, or fails when its context ends
// first (so a shared run cancelled by one caller shows up as a failure).
func gated(gate <-chan struct{}) health.Check {
	return func(ctx context.Context) error {
		select {
		case <-gate:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func ok(context.Context) error { return nil }

// waitFor polls cond until it holds: a condition, not a race with an interval.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

type answer struct {
	code int
	rep  health.Report
	err  error
}

// fetch is get for other goroutines than the test's.
func fetch(ctx context.Context, url string) answer {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return answer{err: err}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer res.Body.Close()
	var a answer
	a.code = res.StatusCode
	a.err = json.NewDecoder(res.Body).Decode(&a.rep)
	return a
}

// TestConcurrentReadyzShareOneRun: N concurrent /readyz requests cause one run of
// each check (a real Redis ping among them), not N.
func TestConcurrentReadyzShareOneRun(t *testing.T) {
	t.Parallel()
	c := health.New(quiet(), health.WithClock(newClock().now))
	var redisRuns, gateRuns atomic.Int64
	gate := make(chan struct{})
	c.Register("redis", 10*time.Second, counting(&redisRuns, redisCheck(t)))
	c.Register("gate", 10*time.Second, counting(&gateRuns, gated(gate)))
	srv := serve(t, c)

	const n = 64
	answers := make(chan answer, n)
	for range n {
		go func() { answers <- fetch(t.Context(), srv.URL+"/readyz") }()
	}
	waitFor(t, "every request waits for the run", func() bool { return health.Waiting(c) == n })
	close(gate)
	for range n {
		a := <-answers
		if a.err != nil || a.code != 200 || a.rep.Status != "ok" || a.rep.Checks["redis"].Status != "ok" || a.rep.CheckedAt.IsZero() {
			t.Fatalf("answer: %+v", a)
		}
	}
	if r, g := redisRuns.Load(), gateRuns.Load(); r != 1 || g != 1 {
		t.Fatalf("%d concurrent requests ran redis %d times and gate %d times, want 1 and 1", n, r, g)
	}
}

// TestReadyzReusesRunForInterval: within the cache interval requests (and gRPC
// Check and List) reuse the completed run; after it, one new run; Register drops it.
func TestReadyzReusesRunForInterval(t *testing.T) {
	t.Parallel()
	clk := newClock()
	start := clk.now()
	c := health.New(quiet(), health.WithClock(clk.now))
	var runs atomic.Int64
	c.Register("redis", 10*time.Second, counting(&runs, redisCheck(t)))
	srv := serve(t, c)
	client := healthv1connect.NewHealthClient(srv.Client(), srv.URL)

	if code, rep := get(t, srv.URL+"/readyz"); code != 200 || !rep.CheckedAt.Equal(start) {
		t.Fatalf("first: %d %+v", code, rep)
	}
	clk.advance(health.DefaultCacheFor - time.Nanosecond)
	for range 5 {
		if code, rep := get(t, srv.URL+"/readyz"); code != 200 || !rep.CheckedAt.Equal(start) {
			t.Fatalf("cached: %d %+v", code, rep)
		}
	}
	if _, err := client.Check(t.Context(), connect.NewRequest(&healthv1.HealthCheckRequest{})); err != nil {
		t.Fatal(err)
	}
	if _, err := client.List(t.Context(), connect.NewRequest(&healthv1.HealthListRequest{})); err != nil {
		t.Fatal(err)
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("within the interval: %d runs, want 1", n)
	}

	clk.advance(time.Nanosecond)
	if code, rep := get(t, srv.URL+"/readyz"); code != 200 || !rep.CheckedAt.Equal(clk.now()) {
		t.Fatalf("after the interval: %d %+v", code, rep)
	}
	if n := runs.Load(); n != 2 {
		t.Fatalf("after the interval: %d runs, want 2", n)
	}

	c.Register("jobs", time.Second, ok)
	if _, rep := get(t, srv.URL+"/readyz"); rep.Checks["jobs"].Status != "ok" || runs.Load() != 3 {
		t.Fatalf("after Register: %+v, %d runs", rep, runs.Load())
	}
}

// TestCacheForOption: WithCacheFor sets the interval; 0 runs the checks for every
// request that finds none in flight.
func TestCacheForOption(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cacheFor time.Duration
		want     int64
	}{{0, 4}, {time.Minute, 1}} {
		clk := newClock()
		c := health.New(quiet(), health.WithClock(clk.now), health.WithCacheFor(tc.cacheFor))
		var runs atomic.Int64
		c.Register("check", time.Second, counting(&runs, ok))
		for range 4 {
			if rep := c.Run(t.Context()); rep.Status != "ok" {
				t.Fatalf("%+v", rep)
			}
			clk.advance(59 * time.Second / 4)
		}
		if n := runs.Load(); n != tc.want {
			t.Errorf("WithCacheFor(%v): %d runs, want %d", tc.cacheFor, n, tc.want)
		}
	}
}

// TestSetReadyNotMaskedByCache: with a fresh cached report, SetReady(false) is seen
// by the very next /readyz and gRPC call, and SetReady(true) too, without a run.
func TestSetReadyNotMaskedByCache(t *testing.T) {
	t.Parallel()
	c := health.New(quiet(), health.WithClock(newClock().now), health.WithCacheFor(time.Hour))
	var runs atomic.Int64
	c.Register("redis", 10*time.Second, counting(&runs, redisCheck(t)))
	srv := serve(t, c)
	client := healthv1connect.NewHealthClient(srv.Client(), srv.URL)
	grpcStatus := func() healthv1.HealthCheckResponse_ServingStatus {
		t.Helper()
		res, err := client.Check(t.Context(), connect.NewRequest(&healthv1.HealthCheckRequest{}))
		if err != nil {
			t.Fatal(err)
		}
		return res.Msg.GetStatus()
	}
	listed := func() healthv1.HealthCheckResponse_ServingStatus {
		t.Helper()
		res, err := client.List(t.Context(), connect.NewRequest(&healthv1.HealthListRequest{}))
		if err != nil {
			t.Fatal(err)
		}
		return res.Msg.GetStatuses()["redis"].GetStatus()
	}

	if code, rep := get(t, srv.URL+"/readyz"); code != 200 || rep.Status != "ok" {
		t.Fatalf("ready: %d %+v", code, rep)
	}
	c.SetReady(false)
	if code, rep := get(t, srv.URL+"/readyz"); code != 503 || rep.Status != "draining" {
		t.Fatalf("after SetReady(false): %d %+v", code, rep)
	}
	if st := grpcStatus(); st != healthv1.HealthCheckResponse_NOT_SERVING {
		t.Fatalf("gRPC after SetReady(false): %v", st)
	}
	if st := listed(); st != healthv1.HealthCheckResponse_NOT_SERVING {
		t.Fatalf("List after SetReady(false): %v", st)
	}
	if rep := c.Run(t.Context()); rep.Status != "draining" || rep.Checks["redis"].Status != "ok" {
		t.Fatalf("Run after SetReady(false): %+v", rep)
	}
	c.SetReady(true)
	if code, rep := get(t, srv.URL+"/readyz"); code != 200 || rep.Status != "ok" {
		t.Fatalf("after SetReady(true): %d %+v", code, rep)
	}
	if st := grpcStatus(); st != healthv1.HealthCheckResponse_SERVING {
		t.Fatalf("gRPC after SetReady(true): %v", st)
	}
	if st := listed(); st != healthv1.HealthCheckResponse_SERVING {
		t.Fatalf("List after SetReady(true): %v", st)
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("%d runs, want 1", n)
	}
}

// TestCallerLeavingDoesNotFailOthers: the caller that starts a run and then stops
// waiting (cancelled, or past its deadline) gets a failed report at once, and the
// run goes on, uncancelled, for the callers still waiting.
func TestCallerLeavingDoesNotFailOthers(t *testing.T) {
	t.Parallel()
	c := health.New(quiet(), health.WithClock(newClock().now))
	var runs atomic.Int64
	gate := make(chan struct{})
	c.Register("gate", 10*time.Second, counting(&runs, gated(gate)))
	srv := serve(t, c)

	first, cancel := context.WithCancel(t.Context())
	defer cancel()
	left := make(chan health.Report, 1)
	go func() { left <- c.Run(first) }()
	waitFor(t, "the first caller starts the run", func() bool { return runs.Load() == 1 && health.Waiting(c) == 1 })
	other := make(chan answer, 1)
	go func() { other <- fetch(t.Context(), srv.URL+"/readyz") }()
	waitFor(t, "the request joins the run", func() bool { return health.Waiting(c) == 2 })

	cancel()
	if rep := <-left; rep.Status != "fail" || rep.Checks["gate"].Error != "failed" || !rep.CheckedAt.IsZero() {
		t.Fatalf("cancelled caller: %+v", rep)
	}
	past, cancelPast := context.WithDeadline(t.Context(), time.Unix(0, 0))
	defer cancelPast()
	if rep := c.Run(past); rep.Status != "fail" || rep.Checks["gate"].Error != "timeout" {
		t.Fatalf("caller past its deadline: %+v", rep)
	}
	waitFor(t, "the callers that left stop waiting", func() bool { return health.Waiting(c) == 1 })

	close(gate)
	if a := <-other; a.err != nil || a.code != 200 || a.rep.Status != "ok" {
		t.Fatalf("the caller that stayed: %+v", a)
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("%d runs, want 1", n)
	}
}

// TestWatchSharesRuns: Watch streams take their statuses from the shared runs, and
// see the readiness switch at once.
func TestWatchSharesRuns(t *testing.T) {
	t.Parallel()
	clk := newClock()
	c := health.New(quiet(), health.WithClock(clk.now), health.WithWatchInterval(time.Hour))
	var runs atomic.Int64
	c.Register("redis", 10*time.Second, counting(&runs, redisCheck(t)))
	srv := serve(t, c)
	client := healthv1connect.NewHealthClient(srv.Client(), srv.URL)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()

	const n = 5
	streams := make([]*connect.ServerStreamForClient[healthv1.HealthCheckResponse], n)
	for i := range streams {
		s, err := client.Watch(ctx, connect.NewRequest(&healthv1.HealthCheckRequest{Service: "redis"}))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		streams[i] = s
	}
	expect := func(when string, want healthv1.HealthCheckResponse_ServingStatus) {
		t.Helper()
		for i, s := range streams {
			if !s.Receive() || s.Msg().GetStatus() != want {
				t.Fatalf("%s, stream %d: %v %v, want %v", when, i, s.Msg(), s.Err(), want)
			}
		}
	}
	expect("first", healthv1.HealthCheckResponse_SERVING)
	if code, _ := get(t, srv.URL+"/readyz"); code != 200 || runs.Load() != 1 {
		t.Fatalf("%d streams and a /readyz: %d runs, want 1", n, runs.Load())
	}

	clk.advance(health.DefaultCacheFor)
	c.SetReady(false)
	expect("after SetReady(false)", healthv1.HealthCheckResponse_NOT_SERVING)
	c.SetReady(true)
	expect("after SetReady(true)", healthv1.HealthCheckResponse_SERVING)
	if r := runs.Load(); r != 2 {
		t.Fatalf("%d streams back to ready: %d runs in all, want 2", n, r)
	}
	cancel()
}

// TestLivenessRunsNoChecks: /healthz runs no check at all.
func TestLivenessRunsNoChecks(t *testing.T) {
	t.Parallel()
	c := health.New(quiet())
	var runs atomic.Int64
	c.Register("check", time.Second, counting(&runs, ok))
	srv := serve(t, c)
	for range 3 {
		if code, rep := get(t, srv.URL+"/healthz"); code != 200 || rep.Status != "ok" || !rep.CheckedAt.IsZero() {
			t.Fatalf("%d %+v", code, rep)
		}
	}
	if n := runs.Load(); n != 0 {
		t.Fatalf("/healthz ran checks %d times", n)
	}
}
