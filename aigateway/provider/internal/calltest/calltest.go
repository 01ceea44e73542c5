// Package calltest checks provider streams against the Stream contract, for decoder tests and fuzzing.
package calltest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"testing"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/provider/internal/call"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// BodyOf returns a Body that reads data, for decoder tests and fuzzing.
func BodyOf(name string, data []byte) *call.Body {
	return call.NewBody(context.Background(), name, "", &http.Response{Body: io.NopCloser(bytes.NewReader(data))})
}

// CheckStream reads s to its end and fails t when the stream breaks the
// [provider.Stream] contract: a nil chunk without error, an error that is not a
// *provider.Error, a chunk after the end, a finish reason before the last chunk,
// a clean end whose last chunk lacks finish reason or usage, or 1-hour cache
// writes ([provider.CacheWrite1hReporter]) outside [0, Usage().CacheWriteTokens].
func CheckStream(t *testing.T, s provider.Stream) {
	t.Helper()
	defer func() { _ = s.Close() }()
	var last *aiv1.ChatChunk
	for i := 0; ; i++ {
		if i > 1<<20 {
			t.Fatal("stream does not end")
		}
		ch, err := s.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				if last == nil || last.GetFinishReason() == aiv1.FinishReason_FINISH_REASON_UNSPECIFIED || last.GetUsage() == nil {
					t.Fatalf("clean end, but the last chunk %v lacks finish reason or usage", last)
				}
			} else if pe := (*provider.Error)(nil); !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *provider.Error", err, err)
			}
			if _, again := s.Next(); again == nil {
				t.Fatal("Next after the end returned a chunk")
			}
			if s.Usage() == nil {
				t.Fatal("Usage is nil")
			}
			if r, ok := s.(provider.CacheWrite1hReporter); ok {
				if n := r.CacheWrite1hTokens(); n < 0 || n > s.Usage().GetCacheWriteTokens() {
					t.Fatalf("%d 1-hour cache writes, of %d cache writes", n, s.Usage().GetCacheWriteTokens())
				}
			}
			return
		}
		if ch == nil {
			t.Fatal("nil chunk without error")
		}
		if last != nil && last.GetFinishReason() != aiv1.FinishReason_FINISH_REASON_UNSPECIFIED {
			t.Fatalf("chunk %v after the finishing chunk", ch)
		}
		last = ch
	}
}

// RichRequest is a request that uses every field the providers map: system,
// text, images by URL and inline, an assistant tool call, its result, tools,
// tool choice, sampling, limits, stop, seed and a JSON schema.
func RichRequest() *aiv1.ChatRequest {
	params, _ := structpb.NewStruct(map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}})
	schema, _ := structpb.NewStruct(map[string]any{"type": "object"})
	text := func(s string) *aiv1.ContentPart { return &aiv1.ContentPart{Part: &aiv1.ContentPart_Text{Text: s}} }
	return &aiv1.ChatRequest{
		Model: "m",
		Messages: []*aiv1.Message{
			{Role: aiv1.Role_ROLE_SYSTEM, Content: []*aiv1.ContentPart{text("Be brief.")}},
			{Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{text("What is here?"),
				{Part: &aiv1.ContentPart_Image{Image: &aiv1.ImagePart{Source: &aiv1.ImagePart_Url{Url: "https://example.com/a.png"}, MediaType: "image/png"}}},
				{Part: &aiv1.ContentPart_Image{Image: &aiv1.ImagePart{Source: &aiv1.ImagePart_Data{Data: []byte{1, 2, 3}}, MediaType: "image/jpeg"}}}}},
			{Role: aiv1.Role_ROLE_ASSISTANT, Content: []*aiv1.ContentPart{text("Checking.")},
				ToolCalls: []*aiv1.ToolCall{{Id: "call_1", Name: "weather", Arguments: `{"city":"Paris"}`}}},
			{Role: aiv1.Role_ROLE_TOOL, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_ToolResult{ToolResult: &aiv1.ToolResult{ToolCallId: "call_1", Content: `{"temp":21}`}}}}},
		},
		Tools:          []*aiv1.ToolDefinition{{Name: "weather", Description: "Weather in a city", Parameters: params}},
		ToolChoice:     &aiv1.ToolChoice{Mode: aiv1.ToolChoice_MODE_TOOL, Name: "weather"},
		Temperature:    new(0.5),
		TopP:           new(0.9),
		MaxTokens:      new(int32(100)),
		Stop:           []string{"END"},
		Seed:           new(int64(7)),
		ResponseFormat: &aiv1.ResponseFormat{Type: aiv1.ResponseFormat_TYPE_JSON_SCHEMA, Name: "answer", JsonSchema: schema},
		Metadata:       map[string]string{"never": "sent"},
	}
}

// SameJSON fails t unless got and want are equal JSON values.
func SameJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want is not JSON: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("JSON differs\n got: %s\nwant: %s", got, want)
	}
}
