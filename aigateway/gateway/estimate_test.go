package gateway_test

import (
	"encoding/json"
	"strconv"
	"testing"

	"google.golang.org/protobuf/types/known/structpb"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/gateway"
)

// TestToolSchemasAreEstimatedFromTheirJSON: a tool's JSON schema was estimated by
// formatting it as protobuf text on every request — about 840 allocations and half
// a millisecond of CPU for a 20-property schema, and three times the JSON's size
// (so three times the tokens reserved). It is now measured without encoding: no
// allocation, and a token per three bytes of the schema's JSON, as for text. A
// response_format schema, which was not counted, is counted the same way.
func TestToolSchemasAreEstimatedFromTheirJSON(t *testing.T) { //nolint:paralleltest // AllocsPerRun refuses parallel tests
	props := map[string]any{}
	for i := range 20 {
		props["field"+strconv.Itoa(i)] = map[string]any{"type": "string", "description": "a field the model fills in", "maxLength": 64.0,
			"enum": []any{"a", "b", nil, true}}
	}
	schema := map[string]any{"type": "object", "properties": props, "required": []any{"field0"}}
	params, err := structpb.NewStruct(schema)
	if err != nil {
		t.Fatal(err)
	}
	req := &aiv1.ChatRequest{Model: "chat", Tools: []*aiv1.ToolDefinition{{Name: "f", Parameters: params}}}
	js, _ := json.Marshal(schema)
	got := gateway.EstimateInput(req)
	// The name's estimate is (1)/3+16 = 16; the schema's at least its JSON's /3
	// and at most twice that.
	if low, high := 16+int64(len(js))/3, 16+2*int64(len(js))/3; got < low || got > high {
		t.Errorf("estimate %d, want %d..%d (a %d-byte schema)", got, low, high, len(js))
	}
	if n := testing.AllocsPerRun(20, func() { gateway.EstimateInput(req) }); n != 0 {
		t.Errorf("%v allocations per estimate", n)
	}

	// A response_format schema is input too (the provider reads and bills it);
	// it was not counted at all.
	req = &aiv1.ChatRequest{Model: "chat", ResponseFormat: &aiv1.ResponseFormat{Type: aiv1.ResponseFormat_TYPE_JSON_SCHEMA, Name: "s", JsonSchema: params}}
	if got := gateway.EstimateInput(req); got < int64(len(js))/3 {
		t.Errorf("estimate %d with a %d-byte response schema", got, len(js))
	}
}
