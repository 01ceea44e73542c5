package providertest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/provider/openai"
	"github.com/footingdev/footing/aigateway/providertest"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

func chatRequest() *aiv1.ChatRequest {
	return &aiv1.ChatRequest{Model: "gpt-4o-mini", Messages: []*aiv1.Message{{
		Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "Hi"}}},
	}}}
}

// A fake scripted with a stream and then a rate limit, driven by the OpenAI provider.
func Example() {
	fake, err := providertest.Start(providertest.OpenAI)
	if err != nil {
		panic(err)
	}
	defer fake.Close()
	reply := providertest.Text("Hel", "lo")
	reply.Usage = &aiv1.Usage{InputTokens: 12, OutputTokens: 2}
	reply.CRLF, reply.SplitWrites = true, true
	fake.Enqueue(reply, providertest.RateLimited(2e9))

	p, err := openai.New(openai.Config{BaseURL: fake.BaseURL(), APIKey: fake.APIKey})
	if err != nil {
		panic(err)
	}
	st, err := p.Chat(context.Background(), chatRequest())
	if err != nil {
		panic(err)
	}
	c := providertest.Collect(st)
	fmt.Println(c.Text, c.Finish, c.Usage.GetInputTokens(), c.Usage.GetOutputTokens())

	_, err = p.Chat(context.Background(), chatRequest())
	var pe *provider.Error
	if errors.As(err, &pe) {
		fmt.Println(pe.Kind, pe.StatusCode, pe.RetryAfter, pe.Retryable())
	}
	fmt.Println(len(fake.Requests()), "requests")
	// Output:
	// Hello FINISH_REASON_STOP 12 2
	// rate_limited 429 2s true
	// 2 requests
}

// The model's reasoning, a refusal and a finish reason in the provider's own
// words, scripted once and rendered in each wire's format: here OpenAI's, which
// streams the refusal as delta.refusal and no reasoning.
func ExampleReply_refusal() {
	fake, err := providertest.Start(providertest.OpenAI)
	if err != nil {
		panic(err)
	}
	defer fake.Close()
	fake.Enqueue(providertest.Reply{Steps: []providertest.Step{{Thinking: "Not something to help with."}, {Refusal: "I can't help with that."}}},
		providertest.Reply{Steps: []providertest.Step{{Text: "Once upon a"}}, WireFinish: "length"})

	p, err := openai.New(openai.Config{BaseURL: fake.BaseURL(), APIKey: fake.APIKey})
	if err != nil {
		panic(err)
	}
	for range 2 {
		st, err := p.Chat(context.Background(), chatRequest())
		if err != nil {
			panic(err)
		}
		c := providertest.Collect(st)
		fmt.Printf("%q %v\n", c.Text, c.Finish)
	}
	// Output:
	// "I can't help with that." FINISH_REASON_CONTENT_FILTER
	// "Once upon a" FINISH_REASON_LENGTH
}
