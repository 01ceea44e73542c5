package gateway_test

import (
	"math"
	"testing"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/providertest"
)

// TestCollectToleratesHostileToolCallIndexes sends tool calls whose indexes an
// OpenAI-compatible upstream chose: negative, far apart, repeated out of order.
// Complete assembles one call per index, in the order they first appeared, with
// their argument pieces joined; an index is not a position to allocate up to (a
// negative one panicked, 1<<20 made a million empty calls, MaxInt32 two billion).
func TestCollectToleratesHostileToolCallIndexes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		a, b int // the indexes of the two calls, each sent in two pieces, interleaved
	}{
		{"usual", 0, 1},
		{"negative", -1, -5},
		{"far", 1 << 20, math.MaxInt32},
		{"descending", 3, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, setupOpts{})
			steps := []providertest.Step{
				{ToolCall: &providertest.ToolCallStep{Index: tc.a, ID: "call_a", Name: "a", Args: `{"x":`}},
				{ToolCall: &providertest.ToolCallStep{Index: tc.b, ID: "call_b", Name: "b", Args: `{"y":`}},
				{ToolCall: &providertest.ToolCallStep{Index: tc.a, Args: `1}`}},
				{ToolCall: &providertest.ToolCallStep{Index: tc.b, Args: `2}`}},
			}
			b.primary.Enqueue(providertest.Reply{Steps: steps, Usage: &aiv1.Usage{InputTokens: 10, OutputTokens: 4}})
			resp, err := b.gw.Complete(as(t.Context(), "acme"), chatReq("hi"))
			if err != nil {
				t.Fatal(err)
			}
			calls := resp.GetMessage().GetToolCalls()
			want := []*aiv1.ToolCall{{Id: "call_a", Name: "a", Arguments: `{"x":1}`}, {Id: "call_b", Name: "b", Arguments: `{"y":2}`}}
			if len(calls) != len(want) {
				t.Fatalf("%d tool calls, want %d", len(calls), len(want))
			}
			for i, w := range want {
				if c := calls[i]; c.GetId() != w.Id || c.GetName() != w.Name || c.GetArguments() != w.Arguments {
					t.Errorf("call %d = %v, want %v", i, c, w)
				}
			}
		})
	}
}
