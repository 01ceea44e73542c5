package openai_test

import (
	"testing"

	"github.com/footingdev/footing/aigateway/provider/internal/calltest"
	"github.com/footingdev/footing/aigateway/provider/openai"
	"github.com/footingdev/footing/aigateway/providertest"
)

func TestRequestMapping(t *testing.T) {
	t.Parallel()
	const messages = `"messages":[
	 {"role":"system","content":"Be brief."},
	 {"role":"user","content":[{"type":"text","text":"What is here?"},{"type":"image_url","image_url":{"url":"https://example.com/a.png"}},{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,AQID"}}]},
	 {"role":"assistant","content":"Checking.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}}]},
	 {"role":"tool","tool_call_id":"call_1","content":"{\"temp\":21}"}],
	"tools":[{"type":"function","function":{"name":"weather","description":"Weather in a city","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
	"tool_choice":{"type":"function","function":{"name":"weather"}},
	"temperature":0.5,"top_p":0.9,"stop":["END"],"seed":7,
	"response_format":{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object"}}},`
	tests := []struct {
		name string
		cfg  openai.Config
		want string
	}{
		{"compatible server", openai.Config{}, `{"model":"m","stream":true,"stream_options":{"include_usage":true},` + messages + `"max_tokens":100}`},
		{"max_completion_tokens", openai.Config{MaxTokensField: "max_completion_tokens"}, `{"model":"m","stream":true,"stream_options":{"include_usage":true},` + messages + `"max_completion_tokens":100}`},
		{"no stream usage", openai.Config{NoStreamUsage: true}, `{"model":"m","stream":true,` + messages + `"max_tokens":100}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := providertest.NewOpenAI(t)
			tc.cfg.BaseURL, tc.cfg.APIKey = fake.BaseURL(), fake.APIKey
			tc.cfg.Organization, tc.cfg.Project = "org-1", "proj-1"
			p, err := openai.New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			st, err := p.Chat(t.Context(), calltest.RichRequest())
			if err != nil {
				t.Fatal(err)
			}
			if c := providertest.Collect(st); c.Err != nil {
				t.Fatal(c.Err)
			}
			req := fake.Requests()[0]
			calltest.SameJSON(t, req.Body, tc.want)
			if req.Header.Get("OpenAI-Organization") != "org-1" || req.Header.Get("OpenAI-Project") != "proj-1" || req.Header.Get("Accept") != "text/event-stream" {
				t.Errorf("headers = %v", req.Header)
			}
		})
	}
}
