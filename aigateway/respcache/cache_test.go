package respcache_test

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/respcache"
)

func req(temp *float64, meta map[string]string) *aiv1.ChatRequest {
	return &aiv1.ChatRequest{Model: "m", Temperature: temp, Metadata: meta,
		Messages: []*aiv1.Message{{Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "hi"}}}}}}
}

func answer() []*aiv1.ChatChunk {
	return []*aiv1.ChatChunk{
		{Id: "1", DeltaText: "Hel"},
		{Id: "1", DeltaText: "lo", FinishReason: aiv1.FinishReason_FINISH_REASON_STOP, Usage: &aiv1.Usage{InputTokens: 3, OutputTokens: 2, CostNanosUsd: 99}},
	}
}

func stores(t *testing.T) map[string]respcache.Store {
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	if err := c.Ping(t.Context()).Err(); err != nil {
		t.Fatalf("Redis at %s: %v", url, err)
	}
	return map[string]respcache.Store{
		"memory":        respcache.NewMemoryStore(0, nil),
		"redis":         respcache.NewRedisStore(c),
		"redis-cluster": respcache.NewRedisStore(clusterClient(t)),
	}
}

func prefix() string {
	var b [6]byte
	rand.Read(b[:])
	return "test:aicache:" + hex.EncodeToString(b[:]) + ":"
}

func TestNeverCrossesTenantsAndReplaysAsAStream(t *testing.T) {
	t.Parallel()
	for name, store := range stores(t) {
		t.Run(name, func(t *testing.T) {
			c := respcache.New(store, respcache.Config{KeyPrefix: prefix(), TTL: time.Minute})
			kA, ok := c.Key("tenant-a", req(nil, nil))
			if !ok {
				t.Fatal("a request without temperature should be cacheable")
			}
			kB, _ := c.Key("tenant-b", req(nil, nil))
			if kA == kB {
				t.Fatal("two tenants share a key")
			}
			if err := c.Put(t.Context(), kA, answer()); err != nil {
				t.Fatal(err)
			}
			if _, hit := c.Get(t.Context(), kB); hit {
				t.Fatal("tenant b was served tenant a's answer")
			}
			// Metadata does not change the key.
			kA2, _ := c.Key("tenant-a", req(nil, map[string]string{"trace": "x"}))
			r, hit := c.Get(t.Context(), kA2)
			if !hit || kA2 != kA {
				t.Fatal("miss for the same request with other metadata")
			}
			var text string
			var n int
			for {
				ch, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				n++
				text += ch.GetDeltaText()
			}
			if n != 2 || text != "Hello" || r.Usage().GetOutputTokens() != 2 || r.Usage().GetCostNanosUsd() != 0 {
				t.Errorf("replayed %d chunks %q, usage %v", n, text, r.Usage())
			}
		})
	}
}

func TestSampledRequestsAreNotCachedByDefault(t *testing.T) {
	t.Parallel()
	c := respcache.New(respcache.NewMemoryStore(0, nil), respcache.Config{})
	if _, ok := c.Key("t", req(new(0.7), nil)); ok {
		t.Error("temperature 0.7 cacheable by default")
	}
	if _, ok := c.Key("t", req(new(0.0), nil)); !ok {
		t.Error("temperature 0 not cacheable")
	}
	c = respcache.New(respcache.NewMemoryStore(0, nil), respcache.Config{CacheSampled: true})
	if _, ok := c.Key("t", req(new(0.7), nil)); !ok {
		t.Error("CacheSampled set, temperature 0.7 not cacheable")
	}
}

func TestTTL(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	store := respcache.NewMemoryStore(0, func() time.Time { return now })
	c := respcache.New(store, respcache.Config{TTL: time.Minute})
	k, _ := c.Key("t", req(nil, nil))
	c.Put(t.Context(), k, answer())
	now = now.Add(59 * time.Second)
	if _, hit := c.Get(t.Context(), k); !hit {
		t.Fatal("miss before the TTL")
	}
	now = now.Add(time.Second)
	if _, hit := c.Get(t.Context(), k); hit {
		t.Fatal("hit after the TTL")
	}
}
