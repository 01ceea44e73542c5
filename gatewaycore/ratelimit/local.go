package ratelimit

import (
	"context"
	"hash/maphash"
	"maps"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"

	"github.com/footingdev/footing/observability/semconv"
)

const (
	localShards = 64
	// sweepPerCall is how many entries whose TAT has passed one decision removes at
	// most: more than the one it may add, so the expired entries not yet removed
	// stay a fraction of the live ones, and few enough to keep the lock hold short.
	sweepPerCall = 4
	// shrinkFrom is the peak number of keys from which a shard that falls below a
	// quarter of its peak moves its keys to a map and heap of their size: Go maps
	// and slices keep their memory when entries are deleted.
	shrinkFrom = 256
)

// DefaultMaxKeys is how many keys a [Local] holds at most unless [WithMaxKeys] says
// otherwise: 262144. A key costs about 80 bytes besides its own, so some 30 MB at
// the cap with the middleware's keys (30 to 50 bytes). Far more keys than that
// are rarely live at once — a key is live only until its limit is replenished —
// and at the cap the entries closest to replenished make room (see [WithMaxKeys]).
const DefaultMaxKeys = 1 << 18

// Local is an in-process [Limiter]: keys are spread over shards, each guarded by its
// own mutex held only for one GCRA step. An entry whose theoretical arrival time
// (TAT) has passed decides as no entry at all, so each decision also removes a few
// such entries, earliest first: memory follows the number of keys whose limit is
// not yet replenished. It is safe for concurrent use.
type Local struct {
	now       func() time.Time
	epoch     time.Time // now() when the Local was made; times are kept as durations since it
	seed      maphash.Seed
	maxKeys   int // of WithMaxKeys
	perShard  int // keys a shard holds at most: maxKeys / localShards, rounded up
	mp        metric.MeterProvider
	evictions metric.Int64Counter
	shards    [localShards]shard
}

// A shard holds the TAT of each of its keys, and a min-heap of the keys by TAT to
// find the expired ones without scanning. The heap is lazy: it holds each key once,
// with the TAT the key had when it was pushed or last fixed, which is at most its
// TAT now (a decision only moves a TAT forward); the root is fixed when it is
// reached.
type shard struct {
	mu   sync.Mutex
	tats map[string]int64 // theoretical arrival time, nanoseconds since Local.epoch
	heap []expiry
	peak int      // most keys held since tats was made
	_    [16]byte // keep shards on separate cache lines (64 bytes each)
}

// An expiry is a heap entry: a key and a lower bound of its TAT.
type expiry struct {
	key string
	at  int64
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

// WithMaxKeys sets how many keys the [Local] holds at most, [DefaultMaxKeys] by
// default; n ≤ 0 is ignored. Each of its 64 shards holds n/64 keys, rounded up (so
// 64 at least). When a new key comes to a full shard, an entry whose limit is
// replenished makes room; if every entry is live, the one closest to being
// replenished (the earliest theoretical arrival time) is evicted — its key's limit
// restarts early, from a full burst, on its next request — and the eviction is
// counted in footing.ratelimit.local.evictions. The new key is decided as any new
// key, and allowed.
//
// A new key is neither refused nor let through untracked at the cap: refusing would
// turn a flood of made-up keys (an IPv6 /64 holds 2^64 addresses) into an outage
// for every new client, and letting keys through uncounted would lift every limit —
// tenant, user, API key — for as long as the flood lasts. Evicting the entry
// closest to expiry forgives the least: a key that has spent much of its burst is
// far from expiry and keeps its state while the flood's one-request keys churn.
func WithMaxKeys(n int) LocalOption {
	return func(l *Local) {
		if n > 0 {
			l.maxKeys = n
		}
	}
}

// WithLocalMeterProvider sets where footing.ratelimit.local.evictions is recorded
// (see [WithMaxKeys]). Default the global provider; nil is ignored.
func WithLocalMeterProvider(mp metric.MeterProvider) LocalOption {
	return func(l *Local) {
		if mp != nil {
			l.mp = mp
		}
	}
}

// NewLocal returns an empty [Local].
func NewLocal(opts ...LocalOption) *Local {
	l := &Local{now: time.Now, seed: maphash.MakeSeed(), maxKeys: DefaultMaxKeys}
	for i := range l.shards {
		l.shards[i].tats = make(map[string]int64)
	}
	for _, opt := range opts {
		opt(l)
	}
	l.perShard = (l.maxKeys + localShards - 1) / localShards
	if l.mp == nil {
		l.mp = otel.GetMeterProvider()
	}
	m := semconv.RateLimitLocalEvictions
	evictions, err := l.mp.Meter(meterName).Int64Counter(m.Name, metric.WithUnit(m.Unit), metric.WithDescription(m.Description))
	if err != nil || evictions == nil {
		evictions = noop.Int64Counter{} // the name is constant and valid: not expected
	}
	l.evictions = evictions
	// Time is measured as now().Sub(epoch): on time.Now's monotonic clock, so that a
	// step of the wall clock (NTP, a corrected VM clock) neither refuses every active
	// key for the length of a step back nor refills every bucket on a step forward.
	l.epoch = l.now()
	return l
}

// Allow implements [Limiter]. It fails only for an invalid limit.
func (l *Local) Allow(ctx context.Context, key string, limit Limit) (Decision, error) {
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
	evicted := false
	if allowed {
		if !ok && len(s.tats) >= l.perShard {
			evicted = s.makeRoom(now)
		}
		s.tats[key] = next
		if !ok {
			s.push(expiry{key, next})
			s.peak = max(s.peak, len(s.tats))
		}
	}
	// The key just decided is often the heap's root (one busy key, or the only one):
	// its TAT is known here, which spares the sweep a second lookup of it.
	cur := next
	if !allowed {
		cur = tat
	}
	s.sweep(now, sweepPerCall, key, cur)
	if s.peak >= shrinkFrom && 4*len(s.tats) < s.peak {
		s.shrink()
	}
	s.mu.Unlock()
	if evicted {
		l.evictions.Add(context.WithoutCancel(ctx), 1)
	}
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

// makeRoom removes the entry with the earliest TAT, fixing the heap's stale
// entries on the way, and reports whether it was live (evicted, not expired).
// Each stale entry it fixes was made stale by a decision since it was pushed, so
// its work, however long one call's, is bounded by the decisions before it.
func (s *shard) makeRoom(now int64) (evicted bool) {
	for len(s.heap) > 0 {
		root := &s.heap[0]
		if tat, ok := s.tats[root.key]; ok && tat != root.at {
			root.at = tat
			s.down(0)
			continue
		}
		delete(s.tats, root.key)
		evicted = root.at > now
		s.pop()
		return evicted
	}
	return false
}

// shrink moves the keys to a map and heap of their size. It copies a quarter of
// the peak at most, after three quarters were deleted: O(1) a deletion.
func (s *shard) shrink() {
	tats := make(map[string]int64, len(s.tats))
	maps.Copy(tats, s.tats)
	s.tats = tats
	s.heap = slices.Clone(s.heap)
	s.peak = len(tats)
}

// sweep removes up to n entries whose TAT is at or before now, earliest first.
// key's TAT is known to be keyTAT (the caller just decided it).
func (s *shard) sweep(now int64, n int, key string, keyTAT int64) {
	for ; n > 0 && len(s.heap) > 0 && s.heap[0].at <= now; n-- {
		root := &s.heap[0]
		var tat int64
		if root.key == key {
			tat = keyTAT
		} else {
			tat = s.tats[root.key]
		}
		if tat > now {
			root.at = tat // used since it was pushed: fix its place
			s.down(0)
			continue
		}
		delete(s.tats, root.key)
		s.pop()
	}
}

func (s *shard) push(e expiry) {
	s.heap = append(s.heap, e)
	s.up(len(s.heap) - 1)
}

// pop removes the root.
func (s *shard) pop() {
	last := len(s.heap) - 1
	s.heap[0] = s.heap[last]
	s.heap[last] = expiry{} // let the key's string go
	s.heap = s.heap[:last]
	if last > 0 {
		s.down(0)
	}
}

func (s *shard) up(i int) {
	h := s.heap
	e := h[i]
	for i > 0 {
		parent := (i - 1) / 2
		if h[parent].at <= e.at {
			break
		}
		h[i] = h[parent]
		i = parent
	}
	h[i] = e
}

func (s *shard) down(i int) {
	h := s.heap
	e := h[i]
	for {
		child := 2*i + 1
		if child >= len(h) {
			break
		}
		if child+1 < len(h) && h[child+1].at < h[child].at {
			child++
		}
		if e.at <= h[child].at {
			break
		}
		h[i] = h[child]
		i = child
	}
	h[i] = e
}
