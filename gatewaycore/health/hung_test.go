package health_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/health"
)

// TestHungCheckIsNotCalledAgainWhileRunning: a check that ignores its context (a
// client library that does not take one, a dial to a black-holed host) is abandoned
// at its timeout, but its call goes on. Every later run used to call it again beside
// the calls still running, so under steady probes the calls — each a goroutine and,
// typically, a connection attempt to the dependency that is already not answering —
// piled up without bound. A run now waits (up to the check's timeout) for the call
// still running instead of starting another.
func TestHungCheckIsNotCalledAgainWhileRunning(t *testing.T) {
	t.Parallel()
	clock := newClock()
	c := health.New(quiet(), health.WithClock(clock.now))
	release := make(chan struct{})
	var calls, returned atomic.Int64
	c.Register("stuck", 10*time.Millisecond, func(context.Context) error {
		calls.Add(1)
		defer returned.Add(1)
		<-release // ignores its context
		return nil
	})
	srv := serve(t, c)

	const runs = 6
	for i := range runs {
		code, rep := get(t, srv.URL+"/readyz")
		if code != http.StatusServiceUnavailable || rep.Checks["stuck"].Error != "timeout" {
			t.Fatalf("run %d: got %d %+v, want 503 with the check timed out", i, code, rep)
		}
		clock.advance(2 * health.DefaultCacheFor) // the next request runs the checks again
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("a check that never returned was called %d times by %d runs; want 1 (no second call beside the one running)", n, runs)
	}

	// Once the hung call returns, the next run calls the check afresh.
	close(release)
	for returned.Load() < calls.Load() {
		time.Sleep(time.Millisecond)
	}
	clock.advance(2 * health.DefaultCacheFor)
	if code, rep := get(t, srv.URL+"/readyz"); code != http.StatusOK {
		t.Fatalf("after the hung call returned: got %d %+v, want 200", code, rep)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("calls after recovery = %d, want 2", n)
	}
}
