package adr

import (
	"context"
	"time"

	"github.com/footingdev/footing/contracts/identity"
)

// Eviction of a written ADR's cached copy: a few quick attempts, bounded together.
const (
	evictAttempts = 3
	evictFirstGap = 50 * time.Millisecond
	evictTimeout  = 2 * time.Second
)

// evict removes the cached copy of the ADR id after a write that has committed. The
// write stands whatever happens here: answering an error for it would have the client
// retry a change that is already made (and then fail on its version). A copy the
// cache would not drop after [evictAttempts] is logged at Warn by tenant and id, and
// GetADR may serve it until the cache TTL ends it. It runs even if the caller has gone.
func (s *Service) evict(ctx context.Context, id string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), evictTimeout)
	defer cancel()
	var err error
	gap := evictFirstGap
	for i := range evictAttempts {
		if i > 0 {
			t := time.NewTimer(gap)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
			gap *= 2
		}
		if err = s.cache.Delete(ctx, cacheKey(id)); err == nil {
			return
		}
		if ctx.Err() != nil {
			break
		}
	}
	tenant, _ := identity.TenantID(ctx)
	s.logger.WarnContext(ctx, "adr: written, but its cached copy could not be evicted; GetADR may serve the old copy until the cache TTL ends it",
		"tenant_id", tenant, "adr_id", id, "ttl", s.ttl, "attempts", evictAttempts, "error", err)
}
