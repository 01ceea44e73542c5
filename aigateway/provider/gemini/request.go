package gemini

import (
	"encoding/json"
	"strings"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

type generateRequest struct {
	Contents          []content         `json:"contents"`
	SystemInstruction *content          `json:"systemInstruction,omitempty"`
	Tools             []tools           `json:"tools,omitempty"`
	ToolConfig        *toolConfig       `json:"toolConfig,omitempty"`
	GenerationConfig  *generationConfig `json:"generationConfig,omitempty"`
}

type content struct {
	Role  string `json:"role,omitempty"`
	Parts []part `json:"parts"`
}

type part struct {
	Text             string            `json:"text,omitempty"`
	InlineData       *blob             `json:"inlineData,omitempty"`
	FileData         *fileData         `json:"fileData,omitempty"`
	FunctionCall     *functionCall     `json:"functionCall,omitempty"`
	FunctionResponse *functionResponse `json:"functionResponse,omitempty"`
}

type blob struct {
	MimeType string `json:"mimeType"`
	Data     []byte `json:"data"` // base64 by encoding/json
}

type fileData struct {
	MimeType string `json:"mimeType,omitempty"`
	FileURI  string `json:"fileUri"`
}

type functionCall struct {
	ID   string          `json:"id,omitempty"`
	Name string          `json:"name"`
	Args json.RawMessage `json:"args,omitempty"`
}

type functionResponse struct {
	ID       string          `json:"id,omitempty"`
	Name     string          `json:"name"`
	Response json.RawMessage `json:"response"`
}

type tools struct {
	FunctionDeclarations []functionDecl `json:"functionDeclarations"`
}

type functionDecl struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parametersJsonSchema,omitempty"`
}

type toolConfig struct {
	FunctionCallingConfig struct {
		Mode                 string   `json:"mode"`
		AllowedFunctionNames []string `json:"allowedFunctionNames,omitempty"`
	} `json:"functionCallingConfig"`
}

type generationConfig struct {
	Temperature        *float64        `json:"temperature,omitempty"`
	TopP               *float64        `json:"topP,omitempty"`
	MaxOutputTokens    *int32          `json:"maxOutputTokens,omitempty"`
	StopSequences      []string        `json:"stopSequences,omitempty"`
	Seed               *int64          `json:"seed,omitempty"`
	ResponseMimeType   string          `json:"responseMimeType,omitempty"`
	ResponseJSONSchema json.RawMessage `json:"responseJsonSchema,omitempty"`
}

func structJSON(s interface{ AsMap() map[string]any }) json.RawMessage {
	b, err := json.Marshal(s.AsMap())
	if err != nil {
		return nil
	}
	return b
}

// buildRequest maps an ai/v1 request to generateContent: system messages become
// systemInstruction, the assistant is "model", tool results are functionResponse
// parts named after the call they answer.
func buildRequest(req *aiv1.ChatRequest) *generateRequest {
	out := &generateRequest{}
	names := map[string]string{} // tool call id -> function name
	for _, m := range req.GetMessages() {
		for _, tc := range m.GetToolCalls() {
			names[tc.GetId()] = tc.GetName()
		}
	}
	var system []part
	for _, m := range req.GetMessages() {
		c := content{Role: "user"}
		if m.GetRole() == aiv1.Role_ROLE_ASSISTANT {
			c.Role = "model"
		}
		for _, cp := range m.GetContent() {
			switch p := cp.GetPart().(type) {
			case *aiv1.ContentPart_Text:
				if p.Text != "" {
					c.Parts = append(c.Parts, part{Text: p.Text})
				}
			case *aiv1.ContentPart_Image:
				if u := p.Image.GetUrl(); u != "" {
					c.Parts = append(c.Parts, part{FileData: &fileData{MimeType: p.Image.GetMediaType(), FileURI: u}})
				} else {
					mt := p.Image.GetMediaType()
					if mt == "" {
						mt = "image/png"
					}
					c.Parts = append(c.Parts, part{InlineData: &blob{MimeType: mt, Data: p.Image.GetData()}})
				}
			case *aiv1.ContentPart_ToolResult:
				c.Parts = append(c.Parts, part{FunctionResponse: toolResponse(p.ToolResult, names)})
			}
		}
		for _, tc := range m.GetToolCalls() {
			args := json.RawMessage(tc.GetArguments())
			if strings.TrimSpace(tc.GetArguments()) == "" || !json.Valid(args) {
				args = json.RawMessage(`{}`)
			}
			c.Parts = append(c.Parts, part{FunctionCall: &functionCall{Name: tc.GetName(), Args: args}})
		}
		if len(c.Parts) == 0 {
			continue
		}
		if m.GetRole() == aiv1.Role_ROLE_SYSTEM {
			system = append(system, c.Parts...)
			continue
		}
		out.Contents = append(out.Contents, c)
	}
	if len(system) > 0 {
		out.SystemInstruction = &content{Parts: system}
	}
	if len(req.GetTools()) > 0 {
		var decls []functionDecl
		for _, t := range req.GetTools() {
			d := functionDecl{Name: t.GetName(), Description: t.GetDescription()}
			if t.GetParameters() != nil {
				d.Parameters = structJSON(t.GetParameters())
			}
			decls = append(decls, d)
		}
		out.Tools = []tools{{FunctionDeclarations: decls}}
	}
	if tc := req.GetToolChoice(); tc != nil && tc.GetMode() != aiv1.ToolChoice_MODE_UNSPECIFIED {
		out.ToolConfig = &toolConfig{}
		fc := &out.ToolConfig.FunctionCallingConfig
		switch tc.GetMode() {
		case aiv1.ToolChoice_MODE_NONE:
			fc.Mode = "NONE"
		case aiv1.ToolChoice_MODE_REQUIRED:
			fc.Mode = "ANY"
		case aiv1.ToolChoice_MODE_TOOL:
			fc.Mode, fc.AllowedFunctionNames = "ANY", []string{tc.GetName()}
		default:
			fc.Mode = "AUTO"
		}
	}
	gc := &generationConfig{Temperature: req.Temperature, TopP: req.TopP, MaxOutputTokens: req.MaxTokens, StopSequences: req.GetStop(), Seed: req.Seed}
	if rf := req.GetResponseFormat(); rf != nil {
		switch rf.GetType() {
		case aiv1.ResponseFormat_TYPE_JSON_OBJECT:
			gc.ResponseMimeType = "application/json"
		case aiv1.ResponseFormat_TYPE_JSON_SCHEMA:
			gc.ResponseMimeType = "application/json"
			if rf.GetJsonSchema() != nil {
				gc.ResponseJSONSchema = structJSON(rf.GetJsonSchema())
			}
		}
	}
	if gc.Temperature != nil || gc.TopP != nil || gc.MaxOutputTokens != nil || gc.Seed != nil || len(gc.StopSequences) > 0 || gc.ResponseMimeType != "" {
		out.GenerationConfig = gc
	}
	return out
}

// toolResponse wraps a tool result as a functionResponse: a JSON object result is
// sent as is, anything else as {"result": …} ({"error": …} for failures).
func toolResponse(r *aiv1.ToolResult, names map[string]string) *functionResponse {
	name := names[r.GetToolCallId()]
	if name == "" {
		name = r.GetToolCallId()
	}
	var resp json.RawMessage
	raw := json.RawMessage(r.GetContent())
	if !r.GetIsError() && len(raw) > 0 && raw[0] == '{' && json.Valid(raw) {
		resp = raw
	} else {
		key := "result"
		if r.GetIsError() {
			key = "error"
		}
		resp, _ = json.Marshal(map[string]string{key: r.GetContent()})
	}
	return &functionResponse{Name: name, Response: resp}
}
