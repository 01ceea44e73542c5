package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// healthInterval is how long the subscriber waits for a message before it pings;
// a second silent interval ends the subscription.
const healthInterval = 2 * time.Second

// localTier is the bounded in-process tier in front of Redis. Coherence rests on
// three rules: (1) it answers only while its subscription to the invalidation channel
// is live; (2) every invalidation, and every (re)subscription, advances an epoch, and a
// value read from Redis is kept only if no epoch passed during the read, so a value
// read before an invalidation arrived is never kept after it; (3) local writes drop the
// key instead of storing the value, so two writers in one process cannot leave the
// older value behind.
type localTier struct {
	lru    *lru
	ttl    time.Duration
	origin string
	logger *slog.Logger

	mu     sync.Mutex // orders epoch checks against invalidations
	epochN atomic.Uint64
	live   atomic.Bool

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	psMu   sync.Mutex
	ps     *redis.PubSub
}

func newLocalTier(maxEntries int, maxBytes int64, ttl time.Duration, origin string, logger *slog.Logger) *localTier {
	ctx, cancel := context.WithCancel(context.Background())
	return &localTier{
		lru: newLRU(maxEntries, maxBytes), ttl: ttl, origin: origin, logger: logger,
		ctx: ctx, cancel: cancel, done: make(chan struct{}),
	}
}

func (t *localTier) coherent() bool { return t.live.Load() }

func (t *localTier) epoch() uint64 { return t.epochN.Load() }

func (t *localTier) get(key string) ([]byte, bool) { return t.lru.get(key) }

// fill keeps a value read from Redis, with Redis' remaining ttl capped by the tier's,
// unless an invalidation passed since epoch was read. A value larger than the tier's
// whole byte bound is not kept (it is read from Redis each time).
func (t *localTier) fill(key string, value []byte, remaining time.Duration, epoch uint64) {
	ttl := t.ttl
	if remaining > 0 && remaining < ttl {
		ttl = remaining
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.epochN.Load() != epoch || !t.live.Load() {
		return
	}
	t.lru.set(key, value, ttl, nil)
}

func (t *localTier) invalidate(keys []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.epochN.Add(1)
	for _, k := range keys {
		t.lru.remove(k)
	}
}

// setLive empties the tier and turns it on or off.
func (t *localTier) setLive(live bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.epochN.Add(1)
	t.live.Store(live)
	t.lru.clear()
}

// run keeps one subscription to channel alive until stop, with backoff between
// attempts.
func (t *localTier) run(client redis.UniversalClient, channel string) {
	defer close(t.done)
	backoff := 50 * time.Millisecond
	for t.ctx.Err() == nil {
		ps := client.Subscribe(t.ctx, channel)
		t.psMu.Lock()
		t.ps = ps
		t.psMu.Unlock()
		if t.consume(ps) {
			backoff = 50 * time.Millisecond
		}
		_ = ps.Close()
		if t.live.Load() && t.ctx.Err() == nil {
			t.logger.Warn("cache: invalidation subscription lost; in-process tier off until it is back")
		}
		t.setLive(false)
		select {
		case <-t.ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 2*time.Second)
	}
}

// consume reads messages until the subscription fails; it reports whether it was
// ever subscribed.
func (t *localTier) consume(ps *redis.PubSub) (subscribed bool) {
	pinged := false
	for {
		msg, err := ps.ReceiveTimeout(t.ctx, healthInterval)
		if err != nil {
			if t.ctx.Err() != nil {
				return subscribed
			}
			if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() && !pinged {
				if ps.Ping(t.ctx) == nil {
					pinged = true
					continue
				}
			}
			return subscribed
		}
		pinged = false
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				subscribed = true
				t.setLive(true)
			}
		case *redis.Message:
			origin, keys, err := decodeInvalidation([]byte(m.Payload))
			switch {
			case err != nil:
				// Unknown content on our channel: drop everything rather than guess.
				t.logger.Warn("cache: undecodable invalidation message; emptying the in-process tier")
				t.setLive(true)
			case origin != t.origin:
				t.invalidate(keys)
			}
		}
	}
}

func (t *localTier) stop() {
	t.cancel()
	t.psMu.Lock()
	if t.ps != nil {
		_ = t.ps.Close()
	}
	t.psMu.Unlock()
	<-t.done
}

// invalidation is the payload of an invalidation message: the publishing instance
// and the fully qualified keys it changed.
type invalidation struct {
	Origin string   `json:"o"`
	Keys   []string `json:"k"`
}

func encodeInvalidation(origin string, keys []string) []byte {
	b, _ := json.Marshal(invalidation{Origin: origin, Keys: keys}) // strings always marshal
	return b
}

// decodeInvalidation parses an invalidation message. Anything else on the channel is
// an error.
func decodeInvalidation(payload []byte) (origin string, keys []string, err error) {
	var inv invalidation
	if err := json.Unmarshal(payload, &inv); err != nil {
		return "", nil, errors.New("cache: invalidation message is not JSON")
	}
	if inv.Origin == "" {
		return "", nil, errors.New("cache: invalidation message has no origin")
	}
	return inv.Origin, inv.Keys, nil
}

func newOrigin() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}
