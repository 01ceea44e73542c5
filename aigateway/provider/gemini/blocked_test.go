package gemini_test

import (
	"testing"

	"github.com/footingdev/footing/aigateway/providertest"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// A prompt Gemini blocks is answered 200 with one chunk that has no candidates,
// only promptFeedback.blockReason (and the prompt's usage): the answer ends with
// CONTENT_FILTER and that usage, not as a truncated stream.
func TestBlockedPrompt(t *testing.T) {
	t.Parallel()
	fake := providertest.NewGemini(t)
	fake.Enqueue(providertest.Reply{Truncate: true, Steps: []providertest.Step{{Raw: "data: {\"promptFeedback\": {\"blockReason\": \"PROHIBITED_CONTENT\"},\"usageMetadata\": {\"promptTokenCount\": 7,\"totalTokenCount\": 7,\"promptTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": 7}]},\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"pNmDaMyqIqWm1PIP9eqAiQo\"}\r\n\r\n"}}})
	p := newProvider(t, fake.BaseURL(), fake.APIKey)
	s, err := p.Chat(t.Context(), &aiv1.ChatRequest{Model: fake.Models[0], Messages: []*aiv1.Message{
		{Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "something blocked"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	c := providertest.Collect(s)
	if c.Err != nil || c.Text != "" || c.Finish != aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER || c.Usage.GetInputTokens() != 7 {
		t.Fatalf("text %q, finish %v, usage %v, err %v", c.Text, c.Finish, c.Usage, c.Err)
	}
}
