package gateway_test

import (
	"strings"
	"testing"

	"github.com/footingdev/footing/aigateway/gateway"
	"github.com/footingdev/footing/aigateway/providertest"
)

// TestAnswerTooLargeToCacheIsNotHeld: a stream whose answer may be cached keeps
// its chunks for the cache until the end — all of them, though an answer past the
// cache's MaxAnswerBytes (1 MiB) is then not stored. Once the chunks are past
// that size they are dropped and no more are kept, so a long answer holds no more
// memory than the cache could store.
func TestAnswerTooLargeToCacheIsNotHeld(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{cache: true})
	piece := strings.Repeat("x", 8<<10)
	reply := providertest.Reply{}
	for range 256 { // 2 MiB
		reply.Steps = append(reply.Steps, providertest.Step{Text: piece})
	}
	b.primary.Enqueue(reply)
	s, err := b.gw.Chat(as(t.Context(), "acme"), chatReq("hi"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 256 {
		if _, err := s.Next(); err != nil {
			t.Fatalf("chunk %d: %v", i, err)
		}
	}
	if n := gateway.Buffered(s); n != 0 {
		t.Errorf("%d chunks (%d KiB) held for a cache that will not take them", n, n*8)
	}
	if _, _, err := drain(s); err != nil {
		t.Fatal(err)
	}
}
