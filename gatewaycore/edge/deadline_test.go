package edge_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/footingdev/footing/gatewaycore/edge"
)

// serveWithTimeout runs handler behind edge.Timeouts with a default of d and
// returns the request context the handler saw, for checks after it returned.
func serveWithTimeout(t *testing.T, parent context.Context, d time.Duration, handler func(ctx context.Context)) context.Context {
	t.Helper()
	var seen context.Context
	h := edge.Timeouts(edge.RouteTimeouts{Default: d})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Context()
		handler(seen)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(parent, http.MethodGet, "/", nil))
	return seen
}

// TestTimeoutsContext checks that the request context of edge.Timeouts behaves as
// context.WithTimeout's, with the timer armed or not.
func TestTimeoutsContext(t *testing.T) {
	t.Parallel()
	const d = 30 * time.Millisecond

	t.Run("deadline passes, nobody waits", func(t *testing.T) {
		t.Parallel()
		ctx := serveWithTimeout(t, context.Background(), d, func(ctx context.Context) {
			if ctx.Err() != nil {
				t.Errorf("fresh context: %v", ctx.Err())
			}
			time.Sleep(2 * d)
			if !errors.Is(ctx.Err(), context.DeadlineExceeded) || !errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
				t.Errorf("after the deadline: Err %v, Cause %v", ctx.Err(), context.Cause(ctx))
			}
			select {
			case <-ctx.Done():
			default:
				t.Error("Done is open after the deadline")
			}
		})
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			t.Errorf("after the handler: %v", ctx.Err())
		}
	})

	t.Run("deadline passes while waiting", func(t *testing.T) {
		t.Parallel()
		serveWithTimeout(t, context.Background(), d, func(ctx context.Context) {
			child, cancel := context.WithCancel(ctx)
			defer cancel()
			start := time.Now()
			<-child.Done()
			if el := time.Since(start); el < d/2 {
				t.Errorf("child done after %s, want about %s", el, d)
			}
			if !errors.Is(ctx.Err(), context.DeadlineExceeded) || !errors.Is(child.Err(), context.Canceled) && !errors.Is(child.Err(), context.DeadlineExceeded) {
				t.Errorf("Err %v, child %v", ctx.Err(), child.Err())
			}
		})
	})

	t.Run("handler returns", func(t *testing.T) {
		t.Parallel()
		var waited context.Context
		lazy := serveWithTimeout(t, context.Background(), time.Hour, func(context.Context) {})
		armed := serveWithTimeout(t, context.Background(), time.Hour, func(ctx context.Context) {
			waited = ctx
			_ = ctx.Done()
		})
		for name, ctx := range map[string]context.Context{"never waited": lazy, "waited": waited, "armed": armed} {
			if !errors.Is(ctx.Err(), context.Canceled) || !errors.Is(context.Cause(ctx), context.Canceled) {
				t.Errorf("%s: after the handler: Err %v, Cause %v", name, ctx.Err(), context.Cause(ctx))
			}
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
				t.Errorf("%s: Done still open after the handler returned", name)
			}
		}
	})

	t.Run("parent canceled", func(t *testing.T) {
		t.Parallel()
		parent, cancel := context.WithCancelCause(context.Background())
		boom := errors.New("client went away")
		serveWithTimeout(t, parent, time.Hour, func(ctx context.Context) {
			cancel(boom)
			if !errors.Is(ctx.Err(), context.Canceled) || !errors.Is(context.Cause(ctx), boom) {
				t.Errorf("Err %v, Cause %v", ctx.Err(), context.Cause(ctx))
			}
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
				t.Error("Done still open after the parent was canceled")
			}
		})
	})

	t.Run("earlier parent deadline", func(t *testing.T) {
		t.Parallel()
		parent, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		pd, _ := parent.Deadline()
		serveWithTimeout(t, parent, time.Hour, func(ctx context.Context) {
			if dl, ok := ctx.Deadline(); !ok || !dl.Equal(pd) {
				t.Errorf("Deadline %v %v, want the parent's %v", dl, ok, pd)
			}
			if got := ctx.Value(ctxKey{}); got != nil {
				t.Errorf("Value = %v", got)
			}
		})
	})

	t.Run("values", func(t *testing.T) {
		t.Parallel()
		parent := context.WithValue(context.Background(), ctxKey{}, "v")
		ctx := serveWithTimeout(t, parent, time.Hour, func(ctx context.Context) {
			if ctx.Value(ctxKey{}) != "v" {
				t.Error("parent's value lost")
			}
		})
		if ctx.Value(ctxKey{}) != "v" {
			t.Error("parent's value lost after the handler")
		}
	})
}

type ctxKey struct{}

// TestTimeoutsConcurrentDone: Done, Err and the handler's return race freely.
func TestTimeoutsConcurrentDone(t *testing.T) {
	t.Parallel()
	for range 50 {
		done := make(chan struct{})
		serveWithTimeout(t, context.Background(), time.Hour, func(ctx context.Context) {
			for range 4 {
				go func() {
					<-ctx.Done()
					_ = ctx.Err()
					done <- struct{}{}
				}()
			}
			_ = ctx.Err()
		})
		for range 4 {
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("a waiter was never released")
			}
		}
	}
}
