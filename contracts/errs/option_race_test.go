package errs_test

import (
	"sync"
	"testing"
	"time"

	"github.com/footingdev/footing/contracts/errs"
)

// TestOptionsAreReusable: an Option is a value a service may build once and pass to
// every error it returns, from many requests at once; using it must not write to
// anything the other uses share. Run with -race.
func TestOptionsAreReusable(t *testing.T) {
	t.Parallel()
	opts := []errs.Option{
		errs.WithRetryAfter(1500 * time.Millisecond), errs.WithDomain("quota.footing.dev"),
		errs.WithMetadata("limit", "rpm"), errs.WithFieldViolation("model", "unknown", "MODEL_UNKNOWN"),
		errs.WithRequestID("req-1"),
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			d := errs.From(errs.ResourceExhausted("RATE_LIMITED", "slow down", opts...))
			if d.RetryAfter != 1500*time.Millisecond || d.Domain != "quota.footing.dev" || d.Metadata["limit"] != "rpm" ||
				len(d.FieldViolations) != 1 {
				t.Errorf("details = %+v", d)
			}
		})
	}
	wg.Wait()
}
