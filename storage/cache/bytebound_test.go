package cache_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/footingdev/footing/storage/cache"
)

// TestLocalTierByteBound fills a byte-bounded in-process tier with large values read
// from Redis: it stays under its bound, by evicting the least recently used, and keeps
// serving a small value that is read in between.
func TestLocalTierByteBound(t *testing.T) {
	const bound = 64 << 10
	prefix, r := newLocalRedis(t, cache.Config{LocalMaxEntries: 1000, LocalMaxBytes: bound})
	ctx := t.Context()
	hot := prefix + ":d:hot"
	if err := r.Set(ctx, hot, []byte("small"), time.Minute, nil); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("x"), 10<<10)
	for i := range 30 {
		if l, err := r.Get(ctx, hot); err != nil || !l.Hit || string(l.Value) != "small" {
			t.Fatalf("read %d of the hot key: %+v, %v", i, l, err)
		}
		k := prefix + ":d:big" + strings.Repeat("b", i)
		if err := r.Set(ctx, k, big, time.Minute, nil); err != nil {
			t.Fatal(err)
		}
		if l, err := r.Get(ctx, k); err != nil || !l.Hit || !bytes.Equal(l.Value, big) {
			t.Fatalf("big value %d: hit %v, %v", i, l.Hit, err)
		}
		if _, ok := cache.LocalGet(r, k); !ok {
			t.Fatalf("big value %d (10 KiB, bound 64 KiB) was not held locally", i)
		}
		if n := cache.LocalBytes(r); n > bound {
			t.Fatalf("after %d big values the tier holds %d bytes, over its bound of %d", i+1, n, bound)
		}
	}
	if n := cache.LocalLen(r); n > 7 {
		t.Fatalf("the tier holds %d entries of 10 KiB under a 64 KiB bound", n)
	}
	l, err := r.Get(ctx, hot)
	if err != nil || !l.Hit || l.Tier != cache.TierLocal {
		t.Fatalf("the hot key, read between every big one, was not served locally: %+v, %v", l, err)
	}
}

// TestLocalTierValueOverBound: a value larger than the tier's whole byte bound is not
// held locally (and does not evict what is); it is served from Redis every time.
func TestLocalTierValueOverBound(t *testing.T) {
	prefix, r := newLocalRedis(t, cache.Config{LocalMaxEntries: 1000, LocalMaxBytes: 4 << 10})
	ctx := t.Context()
	small, huge := prefix+":d:small", prefix+":d:huge"
	if err := r.Set(ctx, small, []byte("s"), time.Minute, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Get(ctx, small); err != nil {
		t.Fatal(err)
	}
	value := bytes.Repeat([]byte("h"), 8<<10)
	if err := r.Set(ctx, huge, value, time.Minute, nil); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		l, err := r.Get(ctx, huge)
		if err != nil || !l.Hit || !bytes.Equal(l.Value, value) {
			t.Fatalf("read %d of the huge value: hit %v, %v", i, l.Hit, err)
		}
		if l.Tier != cache.TierRedis {
			t.Fatalf("read %d of the huge value answered by %q, want redis", i, l.Tier)
		}
	}
	if _, ok := cache.LocalGet(r, huge); ok {
		t.Fatal("a value over the whole bound is held locally")
	}
	if l, _ := r.Get(ctx, small); l.Tier != cache.TierLocal {
		t.Fatalf("the small value was evicted for a value that was not kept: tier %q", l.Tier)
	}
}

// TestLocalMaxBytesDefault: zero is DefaultLocalMaxBytes; negative is refused, as a
// negative LocalMaxEntries is.
func TestLocalMaxBytesDefault(t *testing.T) {
	_, r := newLocalRedis(t, cache.Config{LocalMaxEntries: 10})
	if got := cache.LocalMaxBytes(r); got != cache.DefaultLocalMaxBytes {
		t.Fatalf("LocalMaxBytes 0 bounds the tier at %d bytes, want DefaultLocalMaxBytes %d", got, cache.DefaultLocalMaxBytes)
	}
	err := cache.Config{RedisURL: redisURL(), LocalMaxEntries: 10, LocalMaxBytes: -1}.Validate()
	if err == nil || !strings.Contains(err.Error(), "LocalMaxBytes") {
		t.Fatalf("negative LocalMaxBytes: %v", err)
	}
	err = cache.Config{MemoryMaxBytes: -1}.Validate()
	if err == nil || !strings.Contains(err.Error(), "MemoryMaxBytes") {
		t.Fatalf("negative MemoryMaxBytes: %v", err)
	}
}

// TestMemoryByteBound: the Memory backend evicts the least recently used values to
// stay under its byte bound, keeps a small value that is read in between, and does not
// store a value larger than the whole bound, dropping the value it replaces and its
// tags.
func TestMemoryByteBound(t *testing.T) {
	const bound = 64 << 10
	m := cache.NewMemory(1000, cache.WithMemoryMaxBytes(bound))
	defer m.Close()
	ctx := t.Context()
	if err := m.Set(ctx, "hot", []byte("small"), time.Minute, []string{"t"}); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("x"), 10<<10)
	for i := range 30 {
		if l, _ := m.Get(ctx, "hot"); !l.Hit {
			t.Fatalf("read %d: the hot value was evicted", i)
		}
		k := "big" + strings.Repeat("b", i)
		if err := m.Set(ctx, k, big, time.Minute, []string{"t"}); err != nil {
			t.Fatal(err)
		}
		if l, _ := m.Get(ctx, k); !l.Hit {
			t.Fatalf("big value %d (10 KiB, bound 64 KiB) was not stored", i)
		}
		if n := cache.MemoryBytes(m); n > bound {
			t.Fatalf("after %d big values Memory holds %d bytes, over its bound of %d", i+1, n, bound)
		}
	}
	if n := cache.MemoryLen(m); n > 7 {
		t.Fatalf("Memory holds %d values of 10 KiB under a 64 KiB bound", n)
	}
	if tagged := cache.MemoryTagged(m, "t"); tagged != cache.MemoryLen(m) {
		t.Fatalf("tag set holds %d keys, Memory %d: evicted keys stayed tagged", tagged, cache.MemoryLen(m))
	}

	// Over the whole bound: not stored, and the old value under the key is gone.
	if err := m.Set(ctx, "hot", bytes.Repeat([]byte("h"), bound+1), time.Minute, []string{"t", "u"}); err != nil {
		t.Fatal(err)
	}
	if l, _ := m.Get(ctx, "hot"); l.Hit {
		t.Fatalf("a value over the whole bound: Get hit %d bytes", len(l.Value))
	}
	if cache.MemoryTagged(m, "u") != 0 {
		t.Fatal("a value that was not stored was tagged")
	}
	if n := cache.MemoryLen(m); n == 0 {
		t.Fatal("a value over the whole bound evicted everything")
	}
}

// TestMemoryMaxBytesDefault: NewMemory without a byte bound (or with one <= 0) is bounded
// at DefaultMemoryMaxBytes, as maxEntries <= 0 is DefaultMemoryMaxEntries; Open passes
// Config.MemoryMaxBytes on.
func TestMemoryMaxBytesDefault(t *testing.T) {
	for _, m := range []*cache.Memory{cache.NewMemory(0), cache.NewMemory(0, cache.WithMemoryMaxBytes(-5))} {
		if got := cache.MemoryMaxBytes(m); got != cache.DefaultMemoryMaxBytes {
			t.Fatalf("Memory bounded at %d bytes, want DefaultMemoryMaxBytes %d", got, cache.DefaultMemoryMaxBytes)
		}
	}
	c, err := cache.Open(cache.Config{MemoryMaxBytes: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := tenantCtx("t1")
	if err := c.Set(ctx, "k", bytes.Repeat([]byte("v"), 2<<10)); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := c.Get(ctx, "k"); ok {
		t.Fatal("Open ignored MemoryMaxBytes: a 2 KiB value was stored under a 1 KiB bound")
	}
}

// newLocalRedis returns a Redis backend on the test Redis with cfg's in-process tier
// settings, under a prefix of its own, once its tier is live.
func newLocalRedis(t *testing.T, cfg cache.Config) (string, *cache.Redis) {
	t.Helper()
	cfg.RedisURL = redisURL()
	cfg.Prefix = testPrefix(t)
	r, err := cache.NewRedis(cfg)
	if err != nil {
		t.Fatalf("NewRedis: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	waitLive(t, r)
	return cfg.Prefix, r
}
