package router_test

import (
	"context"
	"errors"
	"fmt"
	"io"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/router"
)

func Example() {
	// Two providers: the first is overloaded, the second answers.
	busy := newScripted("anthropic", call{err: &provider.Error{Provider: "anthropic", Kind: provider.KindOverloaded, StatusCode: 529}})
	ok := newScripted("openai", call{steps: []step{text("Hello"), final(12, 1)}})
	r, err := router.New(router.Config{
		Routes: []router.Route{{Alias: "default-chat", Targets: []router.Target{
			{Provider: busy, Model: "claude-sonnet-4-5"},
			{Provider: ok, Model: "gpt-4o", Priority: 1},
		}}},
		MaxAttempts: 1,
	})
	if err != nil {
		panic(err)
	}
	s, err := r.Chat(context.Background(), &aiv1.ChatRequest{Model: "default-chat"})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	for {
		c, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s/%s %q cost=%d\n", c.GetProvider(), c.GetModel(), c.GetDeltaText(), c.GetUsage().GetCostNanosUsd())
	}
	// Output:
	// openai/gpt-4o "Hello" cost=0
	// openai/gpt-4o "" cost=40000
}
