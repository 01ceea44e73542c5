package ratelimit

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

const (
	localShards = 64
	// sweepEvery is how many inserts into a shard trigger a sweep of its expired keys.
	sweepEvery = 1024
)

// Local is an in-process [Limiter]: keys are spread over shards, each guarded by its
// own mutex held only for one GCRA step. Expired keys are swept as new ones arrive,
// so memory follows the number of recently active keys. It is safe for concurrent use.
type Local struct {
	now    func() time.Time
	epoch  time.Time // now() when the Local was made; times are kept as durations since it
	seed   maphash.Seed
	shards [localShards]shard
}

type shard struct {
	mu      sync.Mutex
	tats    map[string]int64 // theoretical arrival time, nanoseconds since Local.epoch
	inserts int
	_       [40]byte // keep shards on separate cache lines
}

// LocalOption configures a [Local].
type LocalOption func(*Local)

// WithClock sets the clock; tests use it to step time. A nil function is ignored.
func WithClock(now func() time.Time) LocalOption {
	return func(l *Local) {
		if now != nil {
			l.now = now
		}
	}
}

// NewLocal returns an empty [Local].
func NewLocal(opts ...LocalOption) *Local {
	l := &Local{now: time.Now, seed: maphash.MakeSeed()}
	for i := range l.shards {
		l.shards[i].tats = make(map[string]int64)
	}
	for _, opt := range opts {
		opt(l)
	}
	// Time is measured as now().Sub(epoch): on time.Now's monotonic clock, so that a
	// step of the wall clock (NTP, a corrected VM clock) neither refuses every active
	// key for the length of a step back nor refills every bucket on a step forward.
	l.epoch = l.now()
	return l
}

// Allow implements [Limiter]. It fails only for an invalid limit.
func (l *Local) Allow(_ context.Context, key string, limit Limit) (Decision, error) {
	if err := limit.Validate(); err != nil {
		return Decision{}, err
	}
	now := int64(l.now().Sub(l.epoch))
	s := &l.shards[maphash.String(l.seed, key)%localShards]
	s.mu.Lock()
	tat, ok := s.tats[key]
	if !ok {
		tat = now // no state: as if the key had just been replenished
	}
	allowed, next, remaining, retry, reset := gcra(now, tat, int64(limit.interval()), limit.burst())
	if allowed {
		s.tats[key] = next
		if !ok {
			s.inserts++
			if s.inserts >= sweepEvery {
				s.inserts = 0
				for k, v := range s.tats {
					if v <= now {
						delete(s.tats, k)
					}
				}
			}
		}
	}
	s.mu.Unlock()
	return Decision{
		Allowed:    allowed,
		Limit:      limit,
		Remaining:  remaining,
		RetryAfter: time.Duration(retry),
		ResetAfter: time.Duration(reset),
	}, nil
}

// Len returns the number of keys held, expired ones not yet swept included.
func (l *Local) Len() int {
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		n += len(s.tats)
		s.mu.Unlock()
	}
	return n
}
