package instrument

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/otel/attribute"
)

// TestAttrCacheConcurrent gets overlapping keys from many goroutines: every
// key's set is made once and every get returns it.
func TestAttrCacheConcurrent(t *testing.T) {
	t.Parallel()
	var made atomic.Int64
	c := attrCache[int]{make: func(k int) attribute.Set {
		made.Add(1)
		return attribute.NewSet(attribute.Int("k", k))
	}}
	const keys, workers = 50, 8
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range keys {
				k := (i + w) % keys
				o := c.get(k)
				if len(o.rec) != 1 || len(o.add) != 1 {
					t.Errorf("key %d: options %v", k, o)
				}
			}
		})
	}
	wg.Wait()
	if made.Load() != keys {
		t.Fatalf("made %d sets for %d keys", made.Load(), keys)
	}
	for k := range keys {
		if _, ok := (*c.m.Load())[k]; !ok {
			t.Fatalf("key %s missing", strconv.Itoa(k))
		}
	}
}
