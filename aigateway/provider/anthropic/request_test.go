package anthropic_test

import (
	"testing"

	"github.com/footingdev/footing/aigateway/provider/anthropic"
	"github.com/footingdev/footing/aigateway/provider/internal/calltest"
	"github.com/footingdev/footing/aigateway/providertest"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

func TestRequestMapping(t *testing.T) {
	t.Parallel()
	fake := providertest.NewAnthropic(t)
	p, err := anthropic.New(anthropic.Config{BaseURL: fake.BaseURL(), APIKey: fake.APIKey, Beta: []string{"a-1", "b-2"}})
	if err != nil {
		t.Fatal(err)
	}
	req := calltest.RichRequest()
	req.Temperature = new(1.7) // capped at Anthropic's 1.0
	st, err := p.Chat(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if c := providertest.Collect(st); c.Err != nil {
		t.Fatal(c.Err)
	}
	got := fake.Requests()[0]
	calltest.SameJSON(t, got.Body, `{"model":"m","max_tokens":100,"system":"Be brief.","stream":true,"temperature":1,"top_p":0.9,"stop_sequences":["END"],
	"messages":[
	 {"role":"user","content":[{"type":"text","text":"What is here?"},{"type":"image","source":{"type":"url","url":"https://example.com/a.png"}},{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"AQID"}}]},
	 {"role":"assistant","content":[{"type":"text","text":"Checking."},{"type":"tool_use","id":"call_1","name":"weather","input":{"city":"Paris"}}]},
	 {"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":"{\"temp\":21}"}]}],
	"tools":[{"name":"weather","description":"Weather in a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
	"tool_choice":{"type":"tool","name":"weather"}}`)
	if got.Header.Get("Anthropic-Beta") != "a-1,b-2" || got.Header.Get("Anthropic-Version") != anthropic.DefaultVersion {
		t.Errorf("headers = %v", got.Header)
	}

	// Without max_tokens the configured default is sent: the API requires one.
	req = &aiv1.ChatRequest{Model: "m", Messages: req.GetMessages()[1:2]}
	st, err = p.Chat(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	_ = providertest.Collect(st)
	calltest.SameJSON(t, fake.Requests()[1].Body, `{"model":"m","max_tokens":4096,"stream":true,
	"messages":[{"role":"user","content":[{"type":"text","text":"What is here?"},{"type":"image","source":{"type":"url","url":"https://example.com/a.png"}},{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"AQID"}}]}]}`)
}
