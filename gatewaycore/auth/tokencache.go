package auth

import (
	"hash/maphash"
	"sync"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
)

const cacheShards = 16

// tokenCache holds verified tokens, each until its expiry. Entries are found by a
// keyed 64-bit hash of the token's last [keyTail] bytes (hash/maphash with a random
// seed per cache) and a hit is confirmed by comparing the whole token, so a hash
// collision — chance or crafted — can only cost a miss, never return another
// token's Principal. The
// hash is cheap next to a cryptographic one (SHA-256 of a JWT costs about as much
// as the rest of a warm request's auth step), which is why the cache keeps the
// verified token itself rather than a digest: it stays in memory until its expiry,
// as the request that carried it does while in flight. The cache is bounded: a
// full shard first drops an entry expiring sooner than the newcomer, else an
// arbitrary one.
type tokenCache struct {
	seed   maphash.Seed
	shards [cacheShards]cacheShard
	limit  int // per shard
}

type cacheShard struct {
	mu      sync.RWMutex
	entries map[uint64]cacheEntry
}

type cacheEntry struct {
	token  string
	p      *commonv1.Principal
	expiry int64 // last valid unix second
}

func newTokenCache(size int) *tokenCache {
	c := &tokenCache{seed: maphash.MakeSeed(), limit: max(1, size/cacheShards)}
	for i := range c.shards {
		c.shards[i].entries = make(map[uint64]cacheEntry)
	}
	return c
}

// keyTail is how many bytes at the end of a token its key hashes: the end of the
// signature, which tells verified tokens apart as well as the whole token does
// (two verified tokens sharing it share the last 48 bytes of a signature) at a
// tenth of the cost for an RS256 token of ~560 bytes. A collision, chance or
// crafted, still only costs a miss: get compares the whole token, and only a
// verified token is put, so a forged token with a victim's tail cannot displace it.
const keyTail = 64

// key returns the hash token is filed under.
func (c *tokenCache) key(token string) uint64 {
	return maphash.String(c.seed, token[max(0, len(token)-keyTail):])
}

func (c *tokenCache) shard(key uint64) *cacheShard { return &c.shards[key>>60%cacheShards] }

func (c *tokenCache) get(key uint64, token string, now int64) (*commonv1.Principal, bool) {
	s := c.shard(key)
	s.mu.RLock()
	e, ok := s.entries[key]
	s.mu.RUnlock()
	if !ok || e.token != token {
		return nil, false
	}
	if now > e.expiry {
		s.mu.Lock()
		if cur, ok := s.entries[key]; ok && cur.token == token {
			delete(s.entries, key)
		}
		s.mu.Unlock()
		return nil, false
	}
	return e.p, true
}

func (c *tokenCache) put(key uint64, token string, p *commonv1.Principal, expiry int64) {
	s := c.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.entries[key]; !ok && len(s.entries) >= c.limit {
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
	s.entries[key] = cacheEntry{token: token, p: p, expiry: expiry}
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
