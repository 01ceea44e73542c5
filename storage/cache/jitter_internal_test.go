package cache

import (
	"testing"
	"time"
)

func TestJitterShortensWithinBound(t *testing.T) {
	t.Parallel()
	c := New(NewMemory(1), Config{Jitter: 0.2})
	const ttl = time.Hour
	seen := map[time.Duration]bool{}
	for range 1000 {
		got := c.jitter(ttl)
		if got > ttl || got < ttl-ttl/5 {
			t.Fatalf("jitter(%v) = %v, want within [%v, %v]", ttl, got, ttl-ttl/5, ttl)
		}
		seen[got] = true
	}
	if len(seen) < 100 {
		t.Fatalf("only %d distinct TTLs in 1000: no jitter", len(seen))
	}
	if got := New(NewMemory(1), Config{Jitter: -1}).jitter(ttl); got != ttl {
		t.Fatalf("negative Jitter (off) changed the TTL to %v", got)
	}
}
