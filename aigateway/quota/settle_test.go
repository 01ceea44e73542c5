package quota_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"

	"github.com/footingdev/footing/aigateway/quota"
)

// flakyStore fails its first fails calls of Adjust, as a Redis failing over does.
type flakyStore struct {
	*quota.MemoryStore
	fails   atomic.Int32
	adjusts atomic.Int32
}

func (s *flakyStore) Adjust(ctx context.Context, cs []quota.Counter) error {
	s.adjusts.Add(1)
	if s.fails.Add(-1) >= 0 {
		return errs.Unavailable("QUOTA_STORE_UNAVAILABLE", "the quota store is unavailable")
	}
	return s.MemoryStore.Adjust(ctx, cs)
}

// TestSettleSurvivesAStoreFailure: a settle the store fails is not lost. The
// reservation holds the worst case for the whole budget period; if one failed
// write used up Settle, the refund never came and the budget stayed taken.
func TestSettleSurvivesAStoreFailure(t *testing.T) {
	t.Parallel()
	p := &commonv1.Principal{TenantId: "acme"}
	newLimiter := func(t *testing.T, fails int32) (*quota.Limiter, *flakyStore) {
		t.Helper()
		store := &flakyStore{MemoryStore: quota.NewMemoryStore(nil)}
		store.fails.Store(fails)
		// The budget affords one worst case at a time.
		l, err := quota.New(store, quota.Config{Tenant: quota.Limits{Budget: 1000}})
		if err != nil {
			t.Fatal(err)
		}
		return l, store
	}
	worst := quota.Request{Cost: 1000}

	t.Run("one failure is retried", func(t *testing.T) {
		t.Parallel()
		l, store := newLimiter(t, 1)
		res, err := l.Reserve(t.Context(), p, worst)
		if err != nil {
			t.Fatal(err)
		}
		if err := res.Settle(t.Context(), 0, 10); err != nil {
			t.Fatalf("settle: %v", err)
		}
		if n := store.adjusts.Load(); n != 2 {
			t.Errorf("%d writes, want 2", n)
		}
		if _, err := l.Reserve(t.Context(), p, quota.Request{Cost: 990}); err != nil {
			t.Errorf("the refund of 990 did not arrive: %v", err)
		}
	})

	t.Run("a later settle tries again", func(t *testing.T) {
		t.Parallel()
		l, store := newLimiter(t, 1000)
		res, err := l.Reserve(t.Context(), p, worst)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		if err := res.Settle(ctx, 0, 10); err == nil {
			t.Fatal("settle reported success while every write failed")
		}
		store.fails.Store(0)
		if err := res.Settle(t.Context(), 0, 10); err != nil {
			t.Fatalf("second settle: %v", err)
		}
		if _, err := l.Reserve(t.Context(), p, quota.Request{Cost: 990}); err != nil {
			t.Errorf("the refund of 990 did not arrive: %v", err)
		}
		// Settled: a third call changes nothing.
		n := store.adjusts.Load()
		if err := res.Settle(t.Context(), 0, 0); err != nil || store.adjusts.Load() != n {
			t.Errorf("settled twice: %v, %d writes after %d", err, store.adjusts.Load(), n)
		}
	})
}
