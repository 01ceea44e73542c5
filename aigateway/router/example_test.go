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

// A request without max_tokens is sent to a model whose maximum output the price
// table does not know (here a self-hosted one) with Config.DefaultMaxTokens, the
// output the gateway reserves for it (Router.DefaultMaxTokens); gpt-4o's maximum
// is known, so it is sent no limit. (capturing records what each provider was
// sent.)
func ExampleConfig_defaultMaxTokens() {
	local := &capturing{scripted: newScripted("vllm", call{steps: []step{text("Hi"), final(3, 1)}})}
	hosted := &capturing{scripted: newScripted("openai", call{steps: []step{text("Hi"), final(3, 1)}})}
	r, err := router.New(router.Config{
		Routes: []router.Route{
			{Alias: "local", Targets: []router.Target{{Provider: local, Model: "llama-3.1-8b-instruct"}}},
			{Alias: "hosted", Targets: []router.Target{{Provider: hosted, Model: "gpt-4o"}}},
		},
		DefaultMaxTokens: 2048,
	})
	if err != nil {
		panic(err)
	}
	for _, alias := range []string{"local", "hosted"} {
		s, err := r.Chat(context.Background(), &aiv1.ChatRequest{Model: alias})
		if err != nil {
			panic(err)
		}
		_ = s.Close()
	}
	fmt.Println("reserved by the gateway:", r.DefaultMaxTokens())
	for _, p := range []*capturing{local, hosted} {
		sent := "none"
		if mt := p.reqs[0].MaxTokens; mt != nil {
			sent = fmt.Sprint(*mt)
		}
		fmt.Printf("%s %s: max_tokens %s\n", p.Name(), p.reqs[0].GetModel(), sent)
	}
	// Output:
	// reserved by the gateway: 2048
	// vllm llama-3.1-8b-instruct: max_tokens 2048
	// openai gpt-4o: max_tokens none
}
