package respcache_test

import (
	"context"
	"fmt"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/respcache"
)

func Example() {
	ctx := context.Background()
	c := respcache.New(respcache.NewMemoryStore(0, nil), respcache.Config{})
	key, _ := c.Key("acme", &aiv1.ChatRequest{Model: "default-chat"})
	_ = c.Put(ctx, key, []*aiv1.ChatChunk{{DeltaText: "4"}})

	_, hit := c.Get(ctx, key)
	otherKey, _ := c.Key("globex", &aiv1.ChatRequest{Model: "default-chat"})
	_, otherHit := c.Get(ctx, otherKey)
	fmt.Println(hit, otherHit)
	// Output: true false
}
