package cache

import (
	"container/list"
	"sync"
	"time"
)

// entryOverhead approximates what an lru entry costs beyond its key, value and tag
// bytes on a 64-bit platform: the lruEntry (96 bytes with its size class), its
// list.Element (48) and its slot in the index map (about 32, with the map's slack),
// rounded up. tagOverhead is the same for each of its tags: the string header in the
// entry's tag slice and the key's slot in the tag's set (Memory).
const (
	entryOverhead = 192
	tagOverhead   = 48
)

// lru is a bounded, expiring, least-recently-used map of byte values. It is bounded by
// entry count and by bytes (entrySize of each entry); past either bound it evicts the
// least recently used. It is safe for concurrent use. Values are stored and returned
// as given; callers copy if they mutate.
type lru struct {
	mu       sync.Mutex
	max      int        // entries; <= 0: no count bound
	maxBytes int64      // <= 0: no byte bound
	bytes    int64      // sum of entrySize over the entries
	order    *list.List // front = most recently used
	items    map[string]*list.Element
	now      func() time.Time
}

type lruEntry struct {
	key     string
	value   []byte
	expires time.Time // zero = never
	tags    []string
	size    int64 // entrySize when stored
}

func newLRU(maxEntries int, maxBytes int64) *lru {
	return &lru{max: maxEntries, maxBytes: maxBytes, order: list.New(), items: make(map[string]*list.Element), now: time.Now}
}

// entrySize is what an entry counts against the byte bound: its key, value and tag
// bytes plus a fixed overhead per entry and per tag.
func entrySize(key string, value []byte, tags []string) int64 {
	n := int64(entryOverhead + len(key) + len(value))
	for _, t := range tags {
		n += int64(tagOverhead + len(t))
	}
	return n
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

// set stores value under key for ttl (<= 0: no expiry) and returns the entries it
// evicted or replaced (a replaced entry is reported with its old tags). An entry larger
// than the whole byte bound is not stored (stored is false), and the value it would
// replace is removed: the caller's write is newer than it.
func (l *lru) set(key string, value []byte, ttl time.Duration, tags []string) (evicted []*lruEntry, stored bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var expires time.Time
	if ttl > 0 {
		expires = l.now().Add(ttl)
	}
	size := entrySize(key, value, tags)
	el, ok := l.items[key]
	if l.maxBytes > 0 && size > l.maxBytes {
		if ok {
			l.removeElement(el)
			evicted = append(evicted, el.Value.(*lruEntry))
		}
		return evicted, false
	}
	if ok {
		e := el.Value.(*lruEntry)
		evicted = append(evicted, &lruEntry{key: key, tags: e.tags})
		l.bytes += size - e.size
		e.value, e.expires, e.tags, e.size = value, expires, tags, size
		l.order.MoveToFront(el)
	} else {
		el = l.order.PushFront(&lruEntry{key: key, value: value, expires: expires, tags: tags, size: size})
		l.items[key] = el
		l.bytes += size
	}
	// el fits the byte bound and the count bound is at least 1, so it is never evicted.
	for l.order.Back() != el && (l.max > 0 && l.order.Len() > l.max || l.maxBytes > 0 && l.bytes > l.maxBytes) {
		oldest := l.order.Back()
		evicted = append(evicted, oldest.Value.(*lruEntry))
		l.removeElement(oldest)
	}
	return evicted, true
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
	l.bytes = 0
}

func (l *lru) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.order.Len()
}

// size returns the bytes the entries count against the byte bound.
func (l *lru) size() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bytes
}

func (l *lru) removeElement(el *list.Element) {
	l.order.Remove(el)
	e := el.Value.(*lruEntry)
	delete(l.items, e.key)
	l.bytes -= e.size
}
