package cache_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/footingdev/footing/storage/cache"
)

// FuzzDecodeInvalidation feeds arbitrary payloads to the parser of messages read from
// the invalidation channel: it must return an error or an origin, never panic.
func FuzzDecodeInvalidation(f *testing.F) {
	for _, s := range []string{`{"o":"abc","k":["p:d:g:k"]}`, `{"o":""}`, `[]`, ``, `{"o":1}`, `{"k":null,"o":"x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		origin, _, err := cache.DecodeInvalidation(payload)
		if err == nil && origin == "" {
			t.Fatalf("accepted %q without an origin", payload)
		}
	})
}

// FuzzNamespaceInjective checks that two different (tenant, key) pairs never share
// a backend key, tenants being told apart as storage/rls tells them: two spellings of
// one UUID are one tenant, and share keys.
func FuzzNamespaceInjective(f *testing.F) {
	f.Add("t1", "x", "t", "1x")
	f.Add("a:b", "c", "a", "b:c")
	f.Add("t2:", "k", "t2", ":k")
	f.Add("6BA7B810-9DAD-11D1-80B4-00C04FD430C8", "k", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "k")
	f.Add("6ba7b8109dad11d180b400c04fd430c8", "k", "6ba7b810-9dad-11d1-80b4-00c04fd430c8:", "k")
	f.Fuzz(func(t *testing.T, t1, k1, t2, k2 string) {
		if sameTenant(t1, t2) && k1 == k2 {
			key1, _ := cache.DataKey("p", t1, k1)
			key2, _ := cache.DataKey("p", t2, k2)
			if key1 != key2 {
				t.Fatalf("(%q,%q) and (%q,%q) are one tenant's key but differ", t1, k1, t2, k2)
			}
			return
		}
		key1, err1 := cache.DataKey("p", t1, k1)
		key2, err2 := cache.DataKey("p", t2, k2)
		if (err1 == nil) != (t1 != "" && k1 != "") || (err2 == nil) != (t2 != "" && k2 != "") {
			t.Fatalf("refusal wrong: (%q,%q): %v; (%q,%q): %v", t1, k1, err1, t2, k2, err2)
		}
		if err1 == nil && err2 == nil && key1 == key2 {
			t.Fatalf("(%q,%q) and (%q,%q) share a key", t1, k1, t2, k2)
		}
	})
}

// sameTenant is storage/rls's notion of one tenant: equal ids, or two spellings of one
// UUID (hyphenated or 32 hex digits, any case; never braces or urn:).
func sameTenant(a, b string) bool {
	if a == b {
		return true
	}
	ua, errA := uuid.Parse(a)
	ub, errB := uuid.Parse(b)
	return errA == nil && errB == nil && ua == ub && !strings.ContainsAny(a+b, "{}:")
}
