package validation_test

import (
	"context"
	"strings"
	"testing"

	"buf.build/go/protovalidate"
	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	"github.com/footingdev/footing/contracts/gen/go/footing/ai/v1/aiv1connect"
	"github.com/footingdev/footing/contracts/internal/connecttest"
	"github.com/footingdev/footing/contracts/validation"
)

// manyBrokenMessages is a chat whose every message breaks two rules: a small request
// (a few bytes a message) that asks for an answer listing n*2 violations.
func manyBrokenMessages(n int) *aiv1.ChatRequest {
	req := &aiv1.ChatRequest{Model: "m", Messages: make([]*aiv1.Message, n)}
	for i := range req.Messages {
		req.Messages[i] = &aiv1.Message{Content: []*aiv1.ContentPart{{}}}
	}
	return req
}

// TestViolationsAreBounded: the answer to a request with a great many broken items
// lists at most validation.MaxViolations of them (and says how many there were), so
// a request cannot make the error it gets back tens of times its own size, nor larger
// than a gRPC trailer may be, on any protocol.
func TestViolationsAreBounded(t *testing.T) {
	t.Parallel()
	svc := &countingService{}
	path, handler := aiv1connect.NewAIGatewayServiceHandler(svc, connect.WithInterceptors(validation.NewInterceptor()))
	url, httpClient := connecttest.Serve(t, path, handler)
	req := manyBrokenMessages(10000)
	for _, p := range connecttest.Protocols() {
		client := aiv1connect.NewAIGatewayServiceClient(httpClient, url, p.Option)
		_, err := client.Complete(context.Background(), connect.NewRequest(&aiv1.CompleteRequest{Chat: req}))
		d := errs.From(err)
		if d.Code != connect.CodeInvalidArgument || d.Reason != validation.Reason {
			t.Fatalf("%s: details = %+v", p.Name, d)
		}
		if n := len(d.FieldViolations); n == 0 || n > validation.MaxViolations {
			t.Fatalf("%s: %d field violations, want 1 to %d", p.Name, n, validation.MaxViolations)
		}
		if d.Metadata["violations"] != "20000" {
			t.Fatalf("%s: metadata = %v, want violations=20000", p.Name, d.Metadata)
		}
	}
	if svc.calls.Load() != 0 {
		t.Fatal("an invalid request reached the handler")
	}
}

// TestViolationsDoNotEchoTheValue: a broken rule is described by the rule, not by
// the value that broke it (which may be a secret pasted into the wrong field).
func TestViolationsDoNotEchoTheValue(t *testing.T) {
	t.Parallel()
	const secret = "sk-live-0123456789abcdef"
	req := &aiv1.ChatRequest{
		Model:    secret + strings.Repeat("x", 300), // string.max_len
		Messages: []*aiv1.Message{{Role: aiv1.Role_ROLE_USER, Name: secret + strings.Repeat("y", 100)}},
		Tools:    []*aiv1.ToolDefinition{{Name: secret + " !"}}, // pattern
	}
	req.Messages[0].Content = []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Image{Image: &aiv1.ImagePart{Source: &aiv1.ImagePart_Url{Url: secret + " not a uri"}}}}}
	err := validation.ToError(protovalidate.GlobalValidator.Validate(req))
	d := errs.From(err)
	if len(d.FieldViolations) < 4 {
		t.Fatalf("details = %+v", d)
	}
	for _, v := range d.FieldViolations {
		if strings.Contains(v.String(), "sk-live") {
			t.Fatalf("violation echoes the value: %v", v)
		}
	}
}

// TestDeepNestingIsValidated: a tool schema nested as deep as protobuf will decode
// neither crashes validation nor skips the rules around it.
func TestDeepNestingIsValidated(t *testing.T) {
	t.Parallel()
	v := structpb.NewNullValue()
	for range 9000 {
		v = structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{v}})
	}
	req := &aiv1.ChatRequest{
		Model:    "",
		Messages: []*aiv1.Message{{Role: aiv1.Role_ROLE_USER}},
		Tools:    []*aiv1.ToolDefinition{{Name: "t", Parameters: &structpb.Struct{Fields: map[string]*structpb.Value{"deep": v}}}},
	}
	d := errs.From(validation.ToError(protovalidate.GlobalValidator.Validate(req)))
	if d.Code != connect.CodeInvalidArgument || len(d.FieldViolations) != 1 || d.FieldViolations[0].GetField() != "model" {
		t.Fatalf("details = %+v", d)
	}
}

// FuzzValidateChat: any bytes a caller sends as a ChatRequest either fail to decode or
// validate without a panic, to nil or to an InvalidArgument of at most MaxViolations.
func FuzzValidateChat(f *testing.F) {
	for _, m := range []*aiv1.ChatRequest{validChat(), invalidChat(), manyBrokenMessages(3)} {
		b, err := proto.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var req aiv1.ChatRequest
		if proto.Unmarshal(b, &req) != nil {
			return
		}
		err := validation.ToError(protovalidate.GlobalValidator.Validate(&req))
		if err == nil {
			return
		}
		d := errs.From(err)
		if d.Code != connect.CodeInvalidArgument || len(d.FieldViolations) > validation.MaxViolations {
			t.Fatalf("details = %+v", d)
		}
	})
}
