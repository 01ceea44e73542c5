package gateway_test

import (
	"testing"
	"time"

	"github.com/footingdev/footing/aigateway/providertest"
)

// TestAnswerEndsAtItsTerminator: once the upstream sent its terminator ([DONE]),
// the answer is complete even if the upstream keeps the response open. The
// gateway used to wait for the body's end before returning io.EOF, so Complete
// (and the OpenAI endpoint's settle and response end) hung until the idle timeout
// (60s by default).
func TestAnswerEndsAtItsTerminator(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	const end = "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n" +
		"data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\n" +
		"data: [DONE]\n\n"
	b.primary.Enqueue(providertest.Reply{Steps: []providertest.Step{{Text: "Hello"}, {Raw: end}}, Stall: true})
	type result struct {
		text string
		in   int64
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := b.gw.Complete(as(t.Context(), "acme"), chatReq("hi"))
		var text string
		if err == nil {
			text = resp.GetMessage().GetContent()[0].GetText()
		}
		done <- result{text, resp.GetUsage().GetInputTokens(), err}
	}()
	select {
	case r := <-done:
		if r.err != nil || r.text != "Hello" || r.in != 3 {
			t.Fatalf("got %q, %d input tokens, %v", r.text, r.in, r.err)
		}
	case <-time.After(30 * time.Second): // a liveness bound, not a measurement: it takes milliseconds
		t.Fatal("Complete did not return after [DONE] while the upstream held the response open")
	}
}
