package openaicompat

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"buf.build/go/protovalidate"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	"github.com/footingdev/footing/contracts/validation"

	"github.com/footingdev/footing/aigateway/internal/elements"
)

// MaxRequestBytes bounds a request body.
const MaxRequestBytes = 32 << 20

// MaxRequestElements bounds the JSON values of a request body (objects, arrays, and
// each value of one after its first), which is refused (400, TOO_MANY_ELEMENTS) past
// it before it is decoded: each costs up to about 180 bytes decoded and as little as
// two in the body, and no rule bounds a message's tool calls or a schema's nodes,
// so 32 MiB of them decoded to 2 GiB.
// The largest conversation the rules allow (10,000 messages) needs a few tens of
// thousands. It is server.MaxRequestElements, which bounds the Connect service's.
const MaxRequestElements = 1 << 20

// chatRequest is the subset of OpenAI's chat completion request the gateway serves.
// Fields it does not know are ignored, as OpenAI-compatible servers do.
type chatRequest struct {
	Model               string          `json:"model"`
	Messages            []message       `json:"messages"`
	Stream              bool            `json:"stream"`
	StreamOptions       *streamOptions  `json:"stream_options"`
	Temperature         *float64        `json:"temperature"`
	TopP                *float64        `json:"top_p"`
	MaxTokens           *int32          `json:"max_tokens"`
	MaxCompletionTokens *int32          `json:"max_completion_tokens"`
	Stop                json.RawMessage `json:"stop"`
	Tools               []tool          `json:"tools"`
	ToolChoice          json.RawMessage `json:"tool_choice"`
	ResponseFormat      *responseFormat `json:"response_format"`
	Seed                *int64          `json:"seed"`
	N                   *int            `json:"n"`
	User                string          `json:"user"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type message struct {
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content"`
	Name       string          `json:"name"`
	ToolCalls  []toolCall      `json:"tool_calls"`
	ToolCallID string          `json:"tool_call_id"`
}

type contentPart struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	ImageURL *struct {
		URL string `json:"url"`
	} `json:"image_url"`
}

type toolCall struct {
	Index    *int   `json:"index,omitempty"`
	ID       string `json:"id,omitempty"`
	Type     string `json:"type,omitempty"`
	Function struct {
		Name      string `json:"name,omitempty"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type tool struct {
	Type     string `json:"type"`
	Function struct {
		Name        string         `json:"name"`
		Description string         `json:"description"`
		Parameters  map[string]any `json:"parameters"`
	} `json:"function"`
}

type responseFormat struct {
	Type       string `json:"type"`
	JSONSchema *struct {
		Name   string         `json:"name"`
		Schema map[string]any `json:"schema"`
	} `json:"json_schema"`
}

// decodeRequest reads an OpenAI chat completion request into the gateway's form
// and checks it with v (see [validate]). The problems the decoder finds are reported
// at once as InvalidArgument field violations; a request that decodes is then held
// to every protovalidate rule, also reported at once.
func decodeRequest(body io.Reader, v protovalidate.Validator) (*aiv1.ChatRequest, *chatRequest, error) {
	data, err := io.ReadAll(io.LimitReader(body, MaxRequestBytes+1))
	if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
		// Cut by a limit in front of the handler (edge.BodyLimit's http.MaxBytesReader).
		return nil, nil, errs.InvalidArgument("BODY_TOO_LARGE", fmt.Sprintf("the request body is larger than %d bytes", tooLarge.Limit))
	}
	if err != nil {
		return nil, nil, errs.InvalidArgument("UNREADABLE_BODY", "the request body could not be read")
	}
	if len(data) > MaxRequestBytes {
		return nil, nil, errs.InvalidArgument("BODY_TOO_LARGE", fmt.Sprintf("the request body is larger than %d bytes", MaxRequestBytes))
	}
	if !elements.JSON(data, MaxRequestElements) {
		return nil, nil, errs.InvalidArgument("TOO_MANY_ELEMENTS", fmt.Sprintf("the request body has more than %d JSON values", MaxRequestElements))
	}
	var in chatRequest
	if err := json.Unmarshal(data, &in); err != nil {
		return nil, nil, malformedJSON(err)
	}
	p := problems{}
	out := &aiv1.ChatRequest{Model: in.Model, Temperature: in.Temperature, TopP: in.TopP, Seed: in.Seed}
	if in.Model == "" {
		p.add("model", "is required")
	}
	if len(in.Messages) == 0 {
		p.add("messages", "must have at least one message")
	}
	if in.N != nil && *in.N != 1 {
		p.add("n", "only n=1 is supported")
	}
	out.MaxTokens = in.MaxCompletionTokens
	if out.MaxTokens == nil {
		out.MaxTokens = in.MaxTokens
	}
	if out.MaxTokens != nil && *out.MaxTokens <= 0 {
		if in.MaxCompletionTokens != nil {
			p.add("max_completion_tokens", "must be positive")
		} else {
			p.add("max_tokens", "must be positive")
		}
	}
	for i, m := range in.Messages {
		if msg := decodeMessage(&p, i, m); msg != nil {
			out.Messages = append(out.Messages, msg)
		}
	}
	out.Stop = decodeStop(&p, in.Stop)
	for i, t := range in.Tools {
		f := fmt.Sprintf("tools[%d]", i)
		if t.Type != "function" {
			p.add(f+".type", `must be "function"`)
			continue
		}
		td := &aiv1.ToolDefinition{Name: t.Function.Name, Description: t.Function.Description}
		if t.Function.Parameters != nil {
			s, err := structpb.NewStruct(t.Function.Parameters)
			if err != nil {
				p.add(f+".function.parameters", "is not a JSON object")
			}
			td.Parameters = s
		}
		out.Tools = append(out.Tools, td)
	}
	out.ToolChoice = decodeToolChoice(&p, in.ToolChoice)
	if rf := in.ResponseFormat; rf != nil {
		switch rf.Type {
		case "text":
			out.ResponseFormat = &aiv1.ResponseFormat{Type: aiv1.ResponseFormat_TYPE_TEXT}
		case "json_object":
			out.ResponseFormat = &aiv1.ResponseFormat{Type: aiv1.ResponseFormat_TYPE_JSON_OBJECT}
		case "json_schema":
			out.ResponseFormat = &aiv1.ResponseFormat{Type: aiv1.ResponseFormat_TYPE_JSON_SCHEMA}
			if rf.JSONSchema != nil {
				out.ResponseFormat.Name = rf.JSONSchema.Name
				if rf.JSONSchema.Schema != nil {
					s, err := structpb.NewStruct(rf.JSONSchema.Schema)
					if err != nil {
						p.add("response_format.json_schema.schema", "is not a JSON object")
					}
					out.ResponseFormat.JsonSchema = s
				}
			}
		default:
			p.add("response_format.type", `must be "text", "json_object" or "json_schema"`)
		}
	}
	if in.User != "" {
		out.Metadata = map[string]string{"user": in.User}
	}
	if err := p.err(); err != nil {
		return nil, nil, err
	}
	if err := validate(v, out, &in); err != nil {
		return nil, nil, err
	}
	return out, &in, nil
}

var roles = map[string]aiv1.Role{
	"system": aiv1.Role_ROLE_SYSTEM, "developer": aiv1.Role_ROLE_SYSTEM, "user": aiv1.Role_ROLE_USER,
	"assistant": aiv1.Role_ROLE_ASSISTANT, "tool": aiv1.Role_ROLE_TOOL,
}

func decodeMessage(p *problems, i int, m message) *aiv1.Message {
	f := func(field string) string { return "messages[" + strconv.Itoa(i) + "]." + field }
	role, ok := roles[m.Role]
	if !ok {
		p.add(f("role"), `must be "system", "developer", "user", "assistant" or "tool"`)
		return nil
	}
	out := &aiv1.Message{Role: role, Name: m.Name}
	text, parts, ok := decodeContent(m.Content)
	if !ok {
		p.add(f("content"), "must be a string or an array of content parts")
		return nil
	}
	if role == aiv1.Role_ROLE_TOOL {
		if m.ToolCallID == "" {
			p.add(f("tool_call_id"), "is required for a tool message")
		}
		for _, pt := range parts {
			text += pt.GetText()
		}
		out.Content = []*aiv1.ContentPart{{Part: &aiv1.ContentPart_ToolResult{ToolResult: &aiv1.ToolResult{ToolCallId: m.ToolCallID, Content: text}}}}
		return out
	}
	if text != "" {
		out.Content = append(out.Content, &aiv1.ContentPart{Part: &aiv1.ContentPart_Text{Text: text}})
	}
	out.Content = append(out.Content, parts...)
	for _, tc := range m.ToolCalls {
		out.ToolCalls = append(out.ToolCalls, &aiv1.ToolCall{Id: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
	}
	return out
}

// decodeContent reads a message's content: null, a string, or an array of text and
// image_url parts.
func decodeContent(raw json.RawMessage) (string, []*aiv1.ContentPart, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil, true
	}
	if raw[0] == '"' {
		// raw is a valid JSON string (the request decoded): without escapes and in
		// valid UTF-8 its text is its bytes between the quotes.
		if body := raw[1 : len(raw)-1]; bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
			return string(body), nil, true
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", nil, false
		}
		return s, nil, true
	}
	var ps []contentPart
	if json.Unmarshal(raw, &ps) != nil {
		return "", nil, false
	}
	var out []*aiv1.ContentPart
	for _, cp := range ps {
		switch {
		case cp.Type == "text":
			out = append(out, &aiv1.ContentPart{Part: &aiv1.ContentPart_Text{Text: cp.Text}})
		case cp.Type == "image_url" && cp.ImageURL != nil:
			out = append(out, &aiv1.ContentPart{Part: &aiv1.ContentPart_Image{Image: &aiv1.ImagePart{Source: &aiv1.ImagePart_Url{Url: cp.ImageURL.URL}}}})
		default:
			return "", nil, false
		}
	}
	return "", out, true
}

func decodeStop(p *problems, raw json.RawMessage) []string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	if json.Unmarshal(raw, &many) != nil {
		p.add("stop", "must be a string or an array of strings")
	}
	return many
}

func decodeToolChoice(p *problems, raw json.RawMessage) *aiv1.ToolChoice {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var mode string
	if json.Unmarshal(raw, &mode) == nil {
		switch mode {
		case "auto":
			return &aiv1.ToolChoice{Mode: aiv1.ToolChoice_MODE_AUTO}
		case "none":
			return &aiv1.ToolChoice{Mode: aiv1.ToolChoice_MODE_NONE}
		case "required":
			return &aiv1.ToolChoice{Mode: aiv1.ToolChoice_MODE_REQUIRED}
		}
		p.add("tool_choice", `must be "auto", "none", "required" or a function`)
		return nil
	}
	var fn struct {
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if json.Unmarshal(raw, &fn) != nil || fn.Function.Name == "" {
		p.add("tool_choice", `must be "auto", "none", "required" or a function`)
		return nil
	}
	return &aiv1.ToolChoice{Mode: aiv1.ToolChoice_MODE_TOOL, Name: fn.Function.Name}
}

// problems collects what the decoder found wrong. It lists at most
// validation.MaxViolations of them, as the validation interceptor does, and
// counts the rest: a body of many broken items must not get back an error many
// times its size.
type problems struct {
	opts []errs.Option
	msgs []string
	n    int
}

func (p *problems) add(field, msg string) {
	p.n++
	if p.n > validation.MaxViolations {
		return
	}
	p.opts = append(p.opts, errs.WithFieldViolation(field, msg, "INVALID"))
	p.msgs = append(p.msgs, field+" "+msg)
}

func (p *problems) err() error {
	if p.n == 0 {
		return nil
	}
	return invalid(p.msgs, p.n, p.opts...)
}

// invalid is the refusal of a request with n problems, of which msgs (and opts'
// field violations) are the first: the total is in ErrorInfo metadata
// "violations" when some are not listed, as the validation interceptor says it.
func invalid(msgs []string, n int, opts ...errs.Option) error {
	msg := "invalid chat completion request: " + strings.Join(msgs, "; ")
	if n > len(msgs) {
		msg += fmt.Sprintf("; and %d more", n-len(msgs))
		opts = append(opts, errs.WithMetadata("violations", strconv.Itoa(n)))
	}
	return errs.InvalidArgument(validation.Reason, msg, opts...)
}

// malformedJSON describes a decoding failure in the request's own terms: where the
// JSON breaks, or which field has the wrong kind of value. encoding/json's text names
// the gateway's Go types ("Go struct field chatRequest.messages"), which are no
// business of the caller's.
func malformedJSON(err error) error {
	const reason = "MALFORMED_JSON"
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax):
		return errs.InvalidArgument(reason, fmt.Sprintf("the request body is not valid JSON (at byte %d)", syntax.Offset))
	case errors.As(err, &typ) && typ.Field != "":
		desc := "must not be a JSON " + typ.Value
		return errs.InvalidArgument(reason, "the request body is not a valid chat completion request: "+typ.Field+" "+desc,
			errs.WithFieldViolation(typ.Field, desc, reason))
	case errors.As(err, &typ):
		return errs.InvalidArgument(reason, "the request body must be a JSON object, not a JSON "+typ.Value)
	default:
		return errs.InvalidArgument(reason, "the request body is not a valid chat completion request")
	}
}
