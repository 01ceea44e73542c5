package auth

import (
	"sync"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
)

const cacheShards = 16

// tokenCache holds verified tokens by the SHA-256 of the token, never the token
// itself, each until its expiry. It is bounded: a full shard first drops expired
// entries, then an arbitrary one.
type tokenCache struct {
	shards [cacheShards]cacheShard
	limit  int // per shard
}

type cacheShard struct {
	mu      sync.RWMutex
	entries map[[32]byte]cacheEntry
}

type cacheEntry struct {
	p      *commonv1.Principal
	expiry int64 // last valid unix second
}

func newTokenCache(size int) *tokenCache {
	c := &tokenCache{limit: max(1, size/cacheShards)}
	for i := range c.shards {
		c.shards[i].entries = make(map[[32]byte]cacheEntry)
	}
	return c
}

func (c *tokenCache) get(key [32]byte, now int64) (*commonv1.Principal, bool) {
	s := &c.shards[key[0]%cacheShards]
	s.mu.RLock()
	e, ok := s.entries[key]
	s.mu.RUnlock()
	if !ok {
		return nil, false
	}
	if now > e.expiry {
		s.mu.Lock()
		delete(s.entries, key)
		s.mu.Unlock()
		return nil, false
	}
	return e.p, true
}

func (c *tokenCache) put(key [32]byte, p *commonv1.Principal, expiry int64) {
	s := &c.shards[key[0]%cacheShards]
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.entries) >= c.limit {
		var evicted bool
		for k, e := range s.entries {
			if e.expiry < expiry { // expires sooner than the newcomer: the cheapest to lose
				delete(s.entries, k)
				evicted = true
				break
			}
		}
		if !evicted {
			for k := range s.entries {
				delete(s.entries, k)
				break
			}
		}
	}
	s.entries[key] = cacheEntry{p: p, expiry: expiry}
}

func (c *tokenCache) len() int {
	n := 0
	for i := range c.shards {
		c.shards[i].mu.RLock()
		n += len(c.shards[i].entries)
		c.shards[i].mu.RUnlock()
	}
	return n
}
