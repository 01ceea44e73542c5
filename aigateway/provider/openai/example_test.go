package openai_test

import (
	"context"
	"fmt"

	"github.com/footingdev/footing/aigateway/provider/openai"
	"github.com/footingdev/footing/aigateway/providertest"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// A chat streamed from an OpenAI-compatible server (here the fake; a vLLM or
// Ollama server is configured the same way, by its base URL).
func ExampleNew() {
	fake, err := providertest.Start(providertest.OpenAI)
	if err != nil {
		panic(err)
	}
	defer fake.Close()

	p, err := openai.New(openai.Config{Name: "vllm", BaseURL: fake.BaseURL(), APIKey: fake.APIKey})
	if err != nil {
		panic(err)
	}
	st, err := p.Chat(context.Background(), &aiv1.ChatRequest{Model: "gpt-4o-mini", Messages: []*aiv1.Message{{
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
		fmt.Printf("%q %v\n", ch.GetDeltaText(), ch.GetFinishReason())
	}
	fmt.Println(st.Usage().GetInputTokens(), st.Usage().GetOutputTokens())
	// Output:
	// "Hello" FINISH_REASON_UNSPECIFIED
	// ", world" FINISH_REASON_UNSPECIFIED
	// "" FINISH_REASON_STOP
	// 10 2
}

// Validate reports every problem at once.
func ExampleConfig_Validate() {
	err := openai.Config{BaseURL: "ftp://x", MaxTokensField: "tokens"}.Validate()
	fmt.Println(err)
	// Output:
	// invalid_argument: openai config: BaseURL: must be an absolute http(s) URL; MaxTokensField: must be "max_tokens" or "max_completion_tokens"
}
