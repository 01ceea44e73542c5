package cache

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// TestLRUBoundsHold runs random sets (of sizes around and over the byte bound),
// removes and reads on a small lru and checks after each that it stays within both
// bounds and that its byte count is the sum of its entries' sizes.
func TestLRUBoundsHold(t *testing.T) {
	const maxEntries, maxBytes = 8, 4096
	l := newLRU(maxEntries, maxBytes)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		key := "k" + strconv.Itoa(rng.IntN(20))
		switch rng.IntN(4) {
		case 0, 1:
			value := make([]byte, rng.IntN(maxBytes+512))
			tags := []string{"t" + strconv.Itoa(rng.IntN(3))}
			_, stored := l.set(key, value, time.Minute, tags)
			if want := entrySize(key, value, tags) <= maxBytes; stored != want {
				t.Fatalf("op %d: set of %d bytes stored=%v, want %v", i, len(value), stored, want)
			}
			if _, ok := l.get(key); ok != stored {
				t.Fatalf("op %d: get after set (stored=%v) found=%v", i, stored, ok)
			}
		case 2:
			l.remove(key)
		case 3:
			l.get(key)
		}
		var sum int64
		for el := l.order.Front(); el != nil; el = el.Next() {
			sum += el.Value.(*lruEntry).size
		}
		if sum != l.size() || l.size() > maxBytes || l.len() > maxEntries || len(l.items) != l.len() {
			t.Fatalf("op %d: %d entries (index %d), %d bytes counted, %d summed; bounds %d, %d",
				i, l.len(), len(l.items), l.size(), sum, maxEntries, maxBytes)
		}
	}
}
