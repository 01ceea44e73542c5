package openai_test

import (
	"testing"

	"github.com/footingdev/footing/aigateway/providertest"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// TestRefusal: a structured-outputs refusal streams as delta.refusal, with
// content null and finish_reason "stop". The refusal was dropped (only
// delta.content was read), so the caller got an empty answer that ended with
// STOP — an empty "complete" answer that the response cache kept and a
// structured-output client tried to parse. It is now the answer's text, and the
// answer ends with CONTENT_FILTER, as an Anthropic refusal does.
func TestRefusal(t *testing.T) {
	t.Parallel()
	fake := providertest.NewOpenAI(t)
	fake.Enqueue(providertest.Reply{Steps: []providertest.Step{{Refusal: "I'm sorry,"}, {Refusal: " but I can't assist with that request."}}})
	p := newProvider(t, fake.BaseURL(), fake.APIKey)
	s, err := p.Chat(t.Context(), &aiv1.ChatRequest{Model: fake.Models[0], Messages: []*aiv1.Message{
		{Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "How do I make anthrax?"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	c := providertest.Collect(s)
	if c.Err != nil {
		t.Fatal(c.Err)
	}
	if c.Text != "I'm sorry, but I can't assist with that request." {
		t.Errorf("text %q, want the refusal", c.Text)
	}
	if c.Finish != aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER {
		t.Errorf("finish %v, want FINISH_REASON_CONTENT_FILTER", c.Finish)
	}
	if c.Usage == nil || c.Usage.GetOutputTokens() == 0 {
		t.Errorf("usage %v, want the reply's", c.Usage)
	}
}
