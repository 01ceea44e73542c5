package bench_test

import (
	"context"
	"io"
	"runtime"
	"testing"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"

	"github.com/footingdev/footing/aigateway/provider/openai"
	"github.com/footingdev/footing/aigateway/providertest"
)

// BenchmarkInstrAddedInProcess is BenchmarkAddedInProcess for instruction
// counting (scripts/bench-instructions runs it under callgrind): each
// sub-benchmark streams the same chat to its end through one side only,
// provider.Chat directly or gateway.Chat, not alternating, so that a whole
// process run counts the instructions of that side. The fake upstream runs in
// the same process on loopback, so its instructions count on both sides. Both
// sub-benchmarks build both sides and warm the one they measure. Read it through
// the script: the difference between two iteration counts, divided by the
// difference in chats, is the instructions per chat, setup and framework
// cancelled.
func BenchmarkInstrAddedInProcess(b *testing.B) {
	for _, side := range []string{"direct", "gateway"} {
		b.Run(side, func(b *testing.B) {
			fake := providertest.NewOpenAI(b)
			fake.SetDefault(providertest.Reply{Steps: []providertest.Step{{Text: "Hello"}, {Text: " from"}, {Text: " the"}, {Text: " fake"}, {Text: " upstream"}}})
			p, err := openai.New(openai.Config{BaseURL: fake.BaseURL(), APIKey: fake.APIKey})
			if err != nil {
				b.Fatal(err)
			}
			gw := newGateway(b, p)
			msgs := []*aiv1.Message{{Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "Say hello in ten words."}}}}}
			ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: "acme", Subject: "bench"})
			type stream interface {
				Next() (*aiv1.ChatChunk, error)
				Close() error
			}
			open := func() (stream, error) {
				return p.Chat(ctx, &aiv1.ChatRequest{Model: "gpt-4o-mini", MaxTokens: new(int32(256)), Messages: msgs})
			}
			if side == "gateway" {
				open = func() (stream, error) {
					return gw.Chat(ctx, &aiv1.ChatRequest{Model: "default-chat", MaxTokens: new(int32(256)), Messages: msgs})
				}
			}
			run := func() {
				s, err := open()
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				for {
					_, err := s.Next()
					if err == io.EOF { //nolint:errorlint // both streams return io.EOF unwrapped
						return
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			for range 50 { // warm connections and pools
				run()
			}
			runtime.GC()
			b.ReportAllocs()
			b.ResetTimer()
			instrLoopStart()
			for range b.N {
				run()
			}
			instrLoopEnd()
		})
	}
}

// instrLoopStart and instrLoopEnd mark the measured loop for callgrind:
// scripts/bench-instructions zeroes the counters on entering the first
// (--zero-before) and dumps them on entering the second (--dump-before), so
// that the setup is not counted.
//
//go:noinline
func instrLoopStart() {}

//go:noinline
func instrLoopEnd() {}
