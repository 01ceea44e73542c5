package anthropic_test

import (
	"testing"

	"github.com/footingdev/footing/aigateway/providertest"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// TestStopReasons: every stop_reason the Messages API sends maps to the finish
// reason that says what happened to the answer. model_context_window_exceeded
// (the model ran into its context window before max_tokens) was read as an
// unknown reason and reported FINISH_REASON_STOP, so an answer cut off
// mid-sentence looked complete to the caller (and to the response cache).
func TestStopReasons(t *testing.T) {
	t.Parallel()
	tests := []struct {
		wire string
		want aiv1.FinishReason
	}{
		{"end_turn", aiv1.FinishReason_FINISH_REASON_STOP},
		{"stop_sequence", aiv1.FinishReason_FINISH_REASON_STOP},
		{"pause_turn", aiv1.FinishReason_FINISH_REASON_STOP},
		{"max_tokens", aiv1.FinishReason_FINISH_REASON_LENGTH},
		{"model_context_window_exceeded", aiv1.FinishReason_FINISH_REASON_LENGTH},
		{"tool_use", aiv1.FinishReason_FINISH_REASON_TOOL_CALLS},
		{"refusal", aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER},
	}
	for _, tc := range tests {
		t.Run(tc.wire, func(t *testing.T) {
			t.Parallel()
			fake := providertest.NewAnthropic(t)
			fake.Enqueue(providertest.Reply{Steps: []providertest.Step{{Text: "The answer is"}}, WireFinish: tc.wire})
			p := newProvider(t, fake.BaseURL(), fake.APIKey)
			s, err := p.Chat(t.Context(), &aiv1.ChatRequest{Model: fake.Models[0], Messages: []*aiv1.Message{
				{Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "Go on."}}}}}})
			if err != nil {
				t.Fatal(err)
			}
			c := providertest.Collect(s)
			if c.Err != nil || c.Text != "The answer is" {
				t.Fatalf("text %q, err %v", c.Text, c.Err)
			}
			if c.Finish != tc.want {
				t.Errorf("stop_reason %q: finish %v, want %v", tc.wire, c.Finish, tc.want)
			}
		})
	}
}
