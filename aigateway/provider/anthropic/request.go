package anthropic

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

type messagesRequest struct {
	Model         string          `json:"model"`
	MaxTokens     int32           `json:"max_tokens"`
	System        string          `json:"system,omitempty"`
	Messages      []message       `json:"messages"`
	Stream        bool            `json:"stream"`
	Temperature   *float64        `json:"temperature,omitempty"`
	TopP          *float64        `json:"top_p,omitempty"`
	StopSequences []string        `json:"stop_sequences,omitempty"`
	Tools         []tool          `json:"tools,omitempty"`
	ToolChoice    *toolChoice     `json:"tool_choice,omitempty"`
	Metadata      json.RawMessage `json:"metadata,omitempty"`
}

type message struct {
	Role    string  `json:"role"`
	Content []block `json:"content"`
}

type block struct {
	Type      string          `json:"type"`
	Text      string          `json:"text,omitempty"`
	Source    *imageSource    `json:"source,omitempty"`
	ID        string          `json:"id,omitempty"`
	Name      string          `json:"name,omitempty"`
	Input     json.RawMessage `json:"input,omitempty"`
	ToolUseID string          `json:"tool_use_id,omitempty"`
	Content   *string         `json:"content,omitempty"`
	IsError   bool            `json:"is_error,omitempty"`
}

type imageSource struct {
	Type      string `json:"type"`
	MediaType string `json:"media_type,omitempty"`
	Data      string `json:"data,omitempty"`
	URL       string `json:"url,omitempty"`
}

type tool struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	InputSchema json.RawMessage `json:"input_schema"`
}

type toolChoice struct {
	Type string `json:"type"`
	Name string `json:"name,omitempty"`
}

var emptySchema = json.RawMessage(`{"type":"object","properties":{}}`)

// buildRequest maps an ai/v1 request to the Messages API: system messages join
// the system prompt, tool results become tool_result blocks of a user turn,
// temperature is capped at the API's 1.0. The API has no seed or JSON mode;
// those fields are not sent.
func (p *Provider) buildRequest(req *aiv1.ChatRequest) *messagesRequest {
	out := &messagesRequest{Model: req.GetModel(), MaxTokens: p.cfg.DefaultMaxTokens, Stream: true, TopP: req.TopP, StopSequences: req.GetStop()}
	if req.MaxTokens != nil {
		out.MaxTokens = req.GetMaxTokens()
	}
	if req.Temperature != nil {
		out.Temperature = new(min(req.GetTemperature(), 1))
	}
	var system []string
	for _, m := range req.GetMessages() {
		if m.GetRole() == aiv1.Role_ROLE_SYSTEM {
			for _, c := range m.GetContent() {
				if t := c.GetText(); t != "" {
					system = append(system, t)
				}
			}
			continue
		}
		msg := message{Role: "user"}
		if m.GetRole() == aiv1.Role_ROLE_ASSISTANT {
			msg.Role = "assistant"
		}
		for _, c := range m.GetContent() {
			switch part := c.GetPart().(type) {
			case *aiv1.ContentPart_Text:
				if part.Text != "" {
					msg.Content = append(msg.Content, block{Type: "text", Text: part.Text})
				}
			case *aiv1.ContentPart_Image:
				msg.Content = append(msg.Content, block{Type: "image", Source: imageOf(part.Image)})
			case *aiv1.ContentPart_ToolResult:
				msg.Content = append(msg.Content, block{Type: "tool_result", ToolUseID: part.ToolResult.GetToolCallId(),
					Content: new(part.ToolResult.GetContent()), IsError: part.ToolResult.GetIsError()})
			}
		}
		for _, tc := range m.GetToolCalls() {
			input := json.RawMessage(tc.GetArguments())
			if !json.Valid(input) || strings.TrimSpace(tc.GetArguments()) == "" {
				input = json.RawMessage(`{}`)
			}
			msg.Content = append(msg.Content, block{Type: "tool_use", ID: tc.GetId(), Name: tc.GetName(), Input: input})
		}
		if len(msg.Content) > 0 {
			out.Messages = append(out.Messages, msg)
		}
	}
	out.System = strings.Join(system, "\n\n")
	for _, t := range req.GetTools() {
		schema := emptySchema
		if t.GetParameters() != nil {
			if b, err := json.Marshal(t.GetParameters().AsMap()); err == nil {
				schema = b
			}
		}
		out.Tools = append(out.Tools, tool{Name: t.GetName(), Description: t.GetDescription(), InputSchema: schema})
	}
	if tc := req.GetToolChoice(); tc != nil {
		switch tc.GetMode() {
		case aiv1.ToolChoice_MODE_AUTO:
			out.ToolChoice = &toolChoice{Type: "auto"}
		case aiv1.ToolChoice_MODE_NONE:
			out.ToolChoice = &toolChoice{Type: "none"}
		case aiv1.ToolChoice_MODE_REQUIRED:
			out.ToolChoice = &toolChoice{Type: "any"}
		case aiv1.ToolChoice_MODE_TOOL:
			out.ToolChoice = &toolChoice{Type: "tool", Name: tc.GetName()}
		}
	}
	return out
}

func imageOf(img *aiv1.ImagePart) *imageSource {
	if u := img.GetUrl(); u != "" {
		return &imageSource{Type: "url", URL: u}
	}
	mt := img.GetMediaType()
	if mt == "" {
		mt = "image/png"
	}
	return &imageSource{Type: "base64", MediaType: mt, Data: base64.StdEncoding.EncodeToString(img.GetData())}
}
