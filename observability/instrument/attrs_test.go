package instrument

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// TestAttrCacheConcurrent gets overlapping keys from many goroutines: every
// key's set is made once and every get returns it.
func TestAttrCacheConcurrent(t *testing.T) {
	t.Parallel()
	var made atomic.Int64
	c := attrCache[intKey]{make: func(k intKey) attribute.Set {
		made.Add(1)
		return attribute.NewSet(attribute.Int("k", int(k)))
	}}
	const keys, workers = 50, 8
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range keys {
				k := (i + w) % keys
				o := c.get(intKey(k))
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
		if _, ok := (*c.m.Load())[intKey(k)]; !ok {
			t.Fatalf("key %s missing", strconv.Itoa(k))
		}
	}
}

// intKey is a key whose slot is always 0: every key but the first collides
// in the front table.
type intKey int

func (intKey) slot() uint { return 0 }

// TestAttrCacheFrontTable checks that the front table gives each key its own
// options: keys that share a slot, equal keys in strings of their own, and
// the answers of the map behind it.
func TestAttrCacheFrontTable(t *testing.T) {
	t.Parallel()
	c := attrCache[httpKey]{make: httpAttrs}
	keys := []httpKey{
		{method: "POST", route: "/a.B/C", scheme: "http", status: 200},
		{method: "POST", route: "/a.B/C", scheme: "http", status: 500},
		{method: "GET", route: "/a.B/C", scheme: "http", status: 200},
		{method: "POST", route: "/q.B/C", scheme: "http", status: 200}, // same slot as the first
		{method: "POST", route: "/a.B/C", scheme: "https", status: 200},
		{method: "POST", scheme: "http"},
		{},
	}
	if keys[0].slot() != keys[3].slot() {
		t.Fatal("the test wants two keys in one slot")
	}
	want := map[httpKey]attribute.Set{}
	for range 3 {
		for _, k := range keys {
			// A copy of the route in memory of its own: equal, not identical.
			k2 := k
			k2.route = string([]byte(k.route))
			for _, k := range []httpKey{k, k2} {
				o := c.get(k)
				if len(o.rec) != 1 {
					t.Fatalf("%+v: options %v", k, o)
				}
				got := metric.NewRecordConfig(o.rec).Attributes()
				if w, ok := want[k]; ok && !got.Equals(&w) {
					t.Fatalf("%+v: attributes %v, then %v", k, w.Encoded(attribute.DefaultEncoder()), got.Encoded(attribute.DefaultEncoder()))
				}
				if exp := httpAttrs(k); !got.Equals(&exp) {
					t.Fatalf("%+v: attributes %v, want %v", k, got.Encoded(attribute.DefaultEncoder()), exp.Encoded(attribute.DefaultEncoder()))
				}
				want[k] = got
			}
		}
	}
}
