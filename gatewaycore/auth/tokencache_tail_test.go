package auth

import (
	"strings"
	"testing"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
)

// TestTokenCacheSharedTail: tokens that share the hashed end of a cached victim's
// token — the only keys an attacker can aim at, the seed being secret — neither
// read, delete nor displace the victim's entry unless they are put (verified
// themselves), and a put under a key already held replaces that one entry: the
// cache neither grows nor evicts another token for it, full or not.
func TestTokenCacheSharedTail(t *testing.T) {
	t.Parallel()
	c := newTokenCache(cacheShards) // one entry per shard: every put into a held shard must evict or replace
	victim := strings.Repeat("v", 300) + "." + strings.Repeat("S", 2*keyTail)
	vp := &commonv1.Principal{Subject: "victim"}
	k := c.key(victim)
	c.put(k, victim, vp, 100)

	forged := []string{
		"X" + victim[1:],               // differs before the tail
		"extra." + victim,              // longer, same tail
		victim[len(victim)-keyTail:],   // the tail alone
		victim[len(victim)-keyTail-1:], // one byte more than the tail
		strings.ToUpper(victim[:1]) + victim[1:],
	}
	for _, f := range forged {
		if c.key(f) != k {
			t.Fatalf("%q: a different key, want the victim's (same last %d bytes)", f[:10], keyTail)
		}
		// Before and after the victim's expiry: a stale-looking lookup must not
		// delete the victim's entry either.
		for _, now := range []int64{1, 101} {
			if p, ok := c.get(k, f, now); ok {
				t.Fatalf("forged token (len %d) at %d got %v", len(f), now, p)
			}
		}
		if p, ok := c.get(k, victim, 1); !ok || p != vp {
			t.Fatalf("after forged token (len %d): victim's entry %v, %v", len(f), p, ok)
		}
	}

	// Another verified token with the same end (which only the issuer could sign)
	// replaces the entry, in place.
	other := "Y" + victim[1:]
	op := &commonv1.Principal{Subject: "other"}
	n := c.len()
	c.put(k, other, op, 200)
	if c.len() != n {
		t.Fatalf("a put under a held key changed the size %d -> %d", n, c.len())
	}
	if p, ok := c.get(k, other, 1); !ok || p != op {
		t.Fatalf("the newer token: %v, %v", p, ok)
	}
	if p, ok := c.get(k, victim, 1); ok {
		t.Fatalf("the replaced token still got %v", p)
	}

	// Short tokens (under keyTail bytes) are hashed whole: one byte apart anywhere
	// gives another key.
	short := "a.b.c"
	for _, s := range []string{"A.b.c", "a.b.C", "a.b.c.", "a.b"} {
		if c.key(s) == c.key(short) {
			t.Errorf("%q and %q share a key", s, short)
		}
	}
}
