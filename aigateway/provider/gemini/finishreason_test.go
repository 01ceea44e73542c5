package gemini_test

import (
	"testing"

	"github.com/footingdev/footing/aigateway/providertest"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// TestFinishReasons: every Candidate.FinishReason the API sends maps to the
// finish reason that says what happened to the answer. Those missing from the
// table were read as STOP, so an answer Gemini abandoned (UNEXPECTED_TOOL_CALL,
// TOO_MANY_TOOL_CALLS, MISSING_THOUGHT_SIGNATURE, MALFORMED_RESPONSE, OTHER) or
// withheld (LANGUAGE, IMAGE_PROHIBITED_CONTENT, IMAGE_RECITATION) looked complete
// to the caller, and the response cache kept it.
func TestFinishReasons(t *testing.T) {
	t.Parallel()
	const (
		stop   = aiv1.FinishReason_FINISH_REASON_STOP
		length = aiv1.FinishReason_FINISH_REASON_LENGTH
		filter = aiv1.FinishReason_FINISH_REASON_CONTENT_FILTER
		failed = aiv1.FinishReason_FINISH_REASON_ERROR
	)
	tests := map[string]aiv1.FinishReason{
		"STOP": stop, "MAX_TOKENS": length,
		"SAFETY": filter, "RECITATION": filter, "LANGUAGE": filter, "BLOCKLIST": filter, "PROHIBITED_CONTENT": filter,
		"SPII": filter, "IMAGE_SAFETY": filter, "IMAGE_PROHIBITED_CONTENT": filter, "IMAGE_RECITATION": filter,
		"MALFORMED_FUNCTION_CALL": failed, "UNEXPECTED_TOOL_CALL": failed, "TOO_MANY_TOOL_CALLS": failed,
		"MISSING_THOUGHT_SIGNATURE": failed, "MALFORMED_RESPONSE": failed, "OTHER": failed,
		"IMAGE_OTHER": failed, "NO_IMAGE": failed,
	}
	for wire, want := range tests {
		t.Run(wire, func(t *testing.T) {
			t.Parallel()
			fake := providertest.NewGemini(t)
			fake.Enqueue(providertest.Reply{Steps: []providertest.Step{{Text: "The answer is"}}, WireFinish: wire})
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
			if c.Finish != want {
				t.Errorf("finishReason %s: finish %v, want %v", wire, c.Finish, want)
			}
		})
	}
}

// A tool call Gemini did not expect is no call to make: UNEXPECTED_TOOL_CALL
// stays FINISH_REASON_ERROR, not TOOL_CALLS.
func TestUnexpectedToolCallIsNoToolCall(t *testing.T) {
	t.Parallel()
	fake := providertest.NewGemini(t)
	fake.Enqueue(providertest.Reply{Steps: []providertest.Step{{ToolCall: &providertest.ToolCallStep{ID: "c", Name: "f", Args: `{}`}}},
		WireFinish: "UNEXPECTED_TOOL_CALL"})
	p := newProvider(t, fake.BaseURL(), fake.APIKey)
	s, err := p.Chat(t.Context(), &aiv1.ChatRequest{Model: fake.Models[0], Messages: []*aiv1.Message{
		{Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "Go on."}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if c := providertest.Collect(s); c.Err != nil || c.Finish != aiv1.FinishReason_FINISH_REASON_ERROR {
		t.Errorf("finish %v, err %v; want FINISH_REASON_ERROR", c.Finish, c.Err)
	}
}
