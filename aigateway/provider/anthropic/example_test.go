package anthropic_test

import (
	"context"
	"fmt"

	"github.com/footingdev/footing/aigateway/provider/anthropic"
	"github.com/footingdev/footing/aigateway/providertest"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// A chat streamed from the Anthropic fake; the last chunk carries the finish reason and usage.
func ExampleNew() {
	fake, err := providertest.Start(providertest.Anthropic)
	if err != nil {
		panic(err)
	}
	defer fake.Close()
	reply := providertest.Text("Hel", "lo")
	reply.Usage = &aiv1.Usage{InputTokens: 20, OutputTokens: 2, CacheReadTokens: 5}
	fake.Enqueue(reply)

	p, err := anthropic.New(anthropic.Config{BaseURL: fake.BaseURL(), APIKey: fake.APIKey})
	if err != nil {
		panic(err)
	}
	st, err := p.Chat(context.Background(), &aiv1.ChatRequest{Model: "claude-sonnet-4-5", Messages: []*aiv1.Message{{
		Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "Hi"}}},
	}}})
	if err != nil {
		panic(err)
	}
	defer st.Close()
	for {
		ch, err := st.Next()
		if err != nil {
			break
		}
		fmt.Printf("%q %v", ch.GetDeltaText(), ch.GetFinishReason())
		if u := ch.GetUsage(); u != nil {
			fmt.Printf(" input=%d output=%d cache_read=%d", u.GetInputTokens(), u.GetOutputTokens(), u.GetCacheReadTokens())
		}
		fmt.Println()
	}
	// Output:
	// "Hel" FINISH_REASON_UNSPECIFIED
	// "lo" FINISH_REASON_UNSPECIFIED
	// "" FINISH_REASON_STOP input=20 output=2 cache_read=5
}

// Validate reports every problem at once.
func ExampleConfig_Validate() {
	fmt.Println(anthropic.Config{BaseURL: "localhost:1234"}.Validate())
	// Output:
	// invalid_argument: anthropic config: BaseURL: must be an absolute http(s) URL; APIKey: is required
}
