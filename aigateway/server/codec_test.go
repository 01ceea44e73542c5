package server

import (
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// FuzzCodecsDecodeAsConnects: under the element bound, Handler's codecs decode
// any input as connect-go's do (proto.Unmarshal, protojson discarding unknown
// fields): the same message, or an error for the same inputs.
func FuzzCodecsDecodeAsConnects(f *testing.F) {
	req := &aiv1.CompleteRequest{Chat: &aiv1.ChatRequest{Model: "m", Metadata: map[string]string{"k": "v"}, Messages: []*aiv1.Message{{
		Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "hi {["}}},
		ToolCalls: []*aiv1.ToolCall{{Id: "c", Name: "f", Arguments: "{}"}}}}}}
	b, _ := proto.Marshal(req)
	j, _ := protojson.Marshal(req)
	f.Add(b, false)
	f.Add(j, true)
	f.Add([]byte(`{"chat":{"messages":[{"content":[{"text":"\\\"{"}]}]}}`), true)
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		got, want := &aiv1.CompleteRequest{}, &aiv1.CompleteRequest{}
		var err, wantErr error
		if isJSON {
			if len(data) == 0 {
				return
			}
			err = jsonCodec{name: "json"}.Unmarshal(data, got)
			wantErr = protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(data, want)
		} else {
			err = protoCodec{}.Unmarshal(data, got)
			wantErr = proto.Unmarshal(data, want)
		}
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("error %v, connect-go's codec: %v", err, wantErr)
		}
		if err == nil && !proto.Equal(got, want) {
			t.Fatalf("decoded %v, connect-go's codec: %v", got, want)
		}
	})
}

// TestJSONMarshalStableIsCompact: as connect-go's, the JSON codec's stable form has
// none of the whitespace protojson varies from build to build.
func TestJSONMarshalStableIsCompact(t *testing.T) {
	t.Parallel()
	b, err := jsonCodec{name: "json"}.MarshalStable(&aiv1.ChatRequest{Model: "m", Stop: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"model":"m","stop":["a","b"]}` {
		t.Fatalf("got %s", b)
	}
}
