package cache

import (
	"container/list"
	"sync"
	"time"
)

// lru is a bounded, expiring, least-recently-used map of byte values. It is safe for
// concurrent use. Values are stored and returned as given; callers copy if they mutate.
type lru struct {
	mu    sync.Mutex
	max   int
	order *list.List // front = most recently used
	items map[string]*list.Element
	now   func() time.Time
}

type lruEntry struct {
	key     string
	value   []byte
	expires time.Time // zero = never
	tags    []string
}

func newLRU(maxEntries int) *lru {
	return &lru{max: maxEntries, order: list.New(), items: make(map[string]*list.Element), now: time.Now}
}

// get returns the value under key if present and not expired.
func (l *lru) get(key string) ([]byte, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	el, ok := l.items[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*lruEntry)
	if !e.expires.IsZero() && !l.now().Before(e.expires) {
		// Left in place: the bound evicts it, and set reports the eviction so that
		// owners of side indexes (tag sets) stay consistent.
		return nil, false
	}
	l.order.MoveToFront(el)
	return e.value, true
}

// set stores value under key for ttl (<= 0: no expiry) and returns the keys it evicted.
func (l *lru) set(key string, value []byte, ttl time.Duration, tags []string) (evicted []*lruEntry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var expires time.Time
	if ttl > 0 {
		expires = l.now().Add(ttl)
	}
	if el, ok := l.items[key]; ok {
		evicted = append(evicted, &lruEntry{key: key, tags: el.Value.(*lruEntry).tags})
		e := el.Value.(*lruEntry)
		e.value, e.expires, e.tags = value, expires, tags
		l.order.MoveToFront(el)
		return evicted
	}
	l.items[key] = l.order.PushFront(&lruEntry{key: key, value: value, expires: expires, tags: tags})
	for l.max > 0 && l.order.Len() > l.max {
		oldest := l.order.Back()
		evicted = append(evicted, oldest.Value.(*lruEntry))
		l.removeElement(oldest)
	}
	return evicted
}

// remove deletes key and returns its entry, if it was present.
func (l *lru) remove(key string) (*lruEntry, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	el, ok := l.items[key]
	if !ok {
		return nil, false
	}
	l.removeElement(el)
	return el.Value.(*lruEntry), true
}

// clear drops every entry.
func (l *lru) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.order.Init()
	clear(l.items)
}

func (l *lru) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.order.Len()
}

func (l *lru) removeElement(el *list.Element) {
	l.order.Remove(el)
	delete(l.items, el.Value.(*lruEntry).key)
}
