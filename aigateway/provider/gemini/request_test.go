package gemini_test

import (
	"testing"

	"github.com/footingdev/footing/aigateway/provider/gemini"
	"github.com/footingdev/footing/aigateway/provider/internal/calltest"
	"github.com/footingdev/footing/aigateway/providertest"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

func TestRequestMapping(t *testing.T) {
	t.Parallel()
	fake := providertest.NewGemini(t)
	p, err := gemini.New(gemini.Config{BaseURL: fake.BaseURL(), APIKey: fake.APIKey})
	if err != nil {
		t.Fatal(err)
	}
	req := calltest.RichRequest()
	req.Model = "models/gemini-2.5-flash"
	st, err := p.Chat(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if c := providertest.Collect(st); c.Err != nil {
		t.Fatal(c.Err)
	}
	got := fake.Requests()[0]
	if got.Path != "/v1beta/models/gemini-2.5-flash:streamGenerateContent" || got.RawQuery != "alt=sse" {
		t.Errorf("path %q query %q", got.Path, got.RawQuery)
	}
	calltest.SameJSON(t, got.Body, `{"contents":[
	 {"role":"user","parts":[{"text":"What is here?"},{"fileData":{"mimeType":"image/png","fileUri":"https://example.com/a.png"}},{"inlineData":{"mimeType":"image/jpeg","data":"AQID"}}]},
	 {"role":"model","parts":[{"text":"Checking."},{"functionCall":{"name":"weather","args":{"city":"Paris"}}}]},
	 {"role":"user","parts":[{"functionResponse":{"name":"weather","response":{"temp":21}}}]}],
	"systemInstruction":{"parts":[{"text":"Be brief."}]},
	"tools":[{"functionDeclarations":[{"name":"weather","description":"Weather in a city","parametersJsonSchema":{"type":"object","properties":{"city":{"type":"string"}}}}]}],
	"toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["weather"]}},
	"generationConfig":{"temperature":0.5,"topP":0.9,"maxOutputTokens":100,"stopSequences":["END"],"seed":7,"responseMimeType":"application/json","responseJsonSchema":{"type":"object"}}}`)

	// A text tool result, and an error one, are wrapped in an object.
	req = &aiv1.ChatRequest{Model: "m", Messages: []*aiv1.Message{
		{Role: aiv1.Role_ROLE_ASSISTANT, ToolCalls: []*aiv1.ToolCall{{Id: "call_0", Name: "f"}}},
		{Role: aiv1.Role_ROLE_TOOL, Content: []*aiv1.ContentPart{
			{Part: &aiv1.ContentPart_ToolResult{ToolResult: &aiv1.ToolResult{ToolCallId: "call_0", Content: "sunny"}}},
			{Part: &aiv1.ContentPart_ToolResult{ToolResult: &aiv1.ToolResult{ToolCallId: "call_0", Content: "boom", IsError: true}}}}},
	}}
	st, err = p.Chat(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	_ = providertest.Collect(st)
	calltest.SameJSON(t, fake.Requests()[1].Body, `{"contents":[
	 {"role":"model","parts":[{"functionCall":{"name":"f","args":{}}}]},
	 {"role":"user","parts":[{"functionResponse":{"name":"f","response":{"result":"sunny"}}},{"functionResponse":{"name":"f","response":{"error":"boom"}}}]}]}`)
}
