package openai

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

type chatRequest struct {
	Model               string          `json:"model"`
	Messages            []message       `json:"messages"`
	Stream              bool            `json:"stream"`
	StreamOptions       *streamOptions  `json:"stream_options,omitempty"`
	Tools               []tool          `json:"tools,omitempty"`
	ToolChoice          any             `json:"tool_choice,omitempty"`
	Temperature         *float64        `json:"temperature,omitempty"`
	TopP                *float64        `json:"top_p,omitempty"`
	MaxTokens           *int32          `json:"max_tokens,omitempty"`
	MaxCompletionTokens *int32          `json:"max_completion_tokens,omitempty"`
	Stop                []string        `json:"stop,omitempty"`
	Seed                *int64          `json:"seed,omitempty"`
	ResponseFormat      *responseFormat `json:"response_format,omitempty"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type message struct {
	Role       string     `json:"role"`
	Content    any        `json:"content"` // string, []contentPart, or nil
	Name       string     `json:"name,omitempty"`
	ToolCalls  []toolCall `json:"tool_calls,omitempty"`
	ToolCallID string     `json:"tool_call_id,omitempty"`
}

type contentPart struct {
	Type     string    `json:"type"`
	Text     string    `json:"text,omitempty"`
	ImageURL *imageURL `json:"image_url,omitempty"`
}

type imageURL struct {
	URL string `json:"url"`
}

type toolCall struct {
	ID       string       `json:"id"`
	Type     string       `json:"type"`
	Function functionCall `json:"function"`
}

type functionCall struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type tool struct {
	Type     string      `json:"type"`
	Function functionDef `json:"function"`
}

type functionDef struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
}

type responseFormat struct {
	Type       string      `json:"type"`
	JSONSchema *jsonSchema `json:"json_schema,omitempty"`
}

type jsonSchema struct {
	Name   string          `json:"name"`
	Schema json.RawMessage `json:"schema,omitempty"`
}

var roles = map[aiv1.Role]string{
	aiv1.Role_ROLE_SYSTEM:    "system",
	aiv1.Role_ROLE_USER:      "user",
	aiv1.Role_ROLE_ASSISTANT: "assistant",
	aiv1.Role_ROLE_TOOL:      "tool",
}

// structJSON renders a google.protobuf.Struct as a JSON object.
func structJSON(s interface{ AsMap() map[string]any }) json.RawMessage {
	if s == nil {
		return nil
	}
	b, err := json.Marshal(s.AsMap())
	if err != nil {
		return nil
	}
	return b
}

func (p *Provider) buildRequest(req *aiv1.ChatRequest) *chatRequest {
	out := &chatRequest{
		Model:       req.GetModel(),
		Stream:      true,
		Temperature: req.Temperature,
		TopP:        req.TopP,
		Stop:        req.GetStop(),
		Seed:        req.Seed,
	}
	if !p.cfg.NoStreamUsage {
		out.StreamOptions = &streamOptions{IncludeUsage: true}
	}
	if req.MaxTokens != nil {
		if p.cfg.MaxTokensField == "max_completion_tokens" {
			out.MaxCompletionTokens = req.MaxTokens
		} else {
			out.MaxTokens = req.MaxTokens
		}
	}
	for _, m := range req.GetMessages() {
		out.Messages = append(out.Messages, messages(m)...)
	}
	for _, t := range req.GetTools() {
		var params json.RawMessage
		if t.GetParameters() != nil {
			params = structJSON(t.GetParameters())
		}
		out.Tools = append(out.Tools, tool{Type: "function", Function: functionDef{Name: t.GetName(), Description: t.GetDescription(), Parameters: params}})
	}
	if tc := req.GetToolChoice(); tc != nil {
		switch tc.GetMode() {
		case aiv1.ToolChoice_MODE_AUTO:
			out.ToolChoice = "auto"
		case aiv1.ToolChoice_MODE_NONE:
			out.ToolChoice = "none"
		case aiv1.ToolChoice_MODE_REQUIRED:
			out.ToolChoice = "required"
		case aiv1.ToolChoice_MODE_TOOL:
			out.ToolChoice = map[string]any{"type": "function", "function": map[string]string{"name": tc.GetName()}}
		}
	}
	if rf := req.GetResponseFormat(); rf != nil {
		switch rf.GetType() {
		case aiv1.ResponseFormat_TYPE_TEXT:
			out.ResponseFormat = &responseFormat{Type: "text"}
		case aiv1.ResponseFormat_TYPE_JSON_OBJECT:
			out.ResponseFormat = &responseFormat{Type: "json_object"}
		case aiv1.ResponseFormat_TYPE_JSON_SCHEMA:
			name := rf.GetName()
			if name == "" {
				name = "response"
			}
			var schema json.RawMessage
			if rf.GetJsonSchema() != nil {
				schema = structJSON(rf.GetJsonSchema())
			}
			out.ResponseFormat = &responseFormat{Type: "json_schema", JSONSchema: &jsonSchema{Name: name, Schema: schema}}
		}
	}
	return out
}

// messages maps one ai/v1 message to OpenAI's: tool results become one "tool"
// message each; text stays a plain string unless images need the parts form.
func messages(m *aiv1.Message) []message {
	var out []message
	var text strings.Builder
	var parts []contentPart
	hasImage := false
	for _, c := range m.GetContent() {
		switch p := c.GetPart().(type) {
		case *aiv1.ContentPart_Text:
			text.WriteString(p.Text)
			parts = append(parts, contentPart{Type: "text", Text: p.Text})
		case *aiv1.ContentPart_Image:
			hasImage = true
			parts = append(parts, contentPart{Type: "image_url", ImageURL: &imageURL{URL: imageRef(p.Image)}})
		case *aiv1.ContentPart_ToolResult:
			out = append(out, message{Role: "tool", ToolCallID: p.ToolResult.GetToolCallId(), Content: p.ToolResult.GetContent()})
		}
	}
	if len(parts) == 0 && len(m.GetToolCalls()) == 0 {
		return out
	}
	msg := message{Role: roles[m.GetRole()], Name: m.GetName()}
	if msg.Role == "tool" {
		msg.Role = "user"
	}
	switch {
	case hasImage:
		msg.Content = parts
	case len(parts) > 0:
		msg.Content = text.String()
	}
	for _, tc := range m.GetToolCalls() {
		msg.ToolCalls = append(msg.ToolCalls, toolCall{ID: tc.GetId(), Type: "function", Function: functionCall{Name: tc.GetName(), Arguments: tc.GetArguments()}})
	}
	return append(out, msg)
}

func imageRef(img *aiv1.ImagePart) string {
	if u := img.GetUrl(); u != "" {
		return u
	}
	mt := img.GetMediaType()
	if mt == "" {
		mt = "image/png"
	}
	return "data:" + mt + ";base64," + base64.StdEncoding.EncodeToString(img.GetData())
}
