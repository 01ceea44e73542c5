package validation_test

import (
	"context"
	"sync/atomic"
	"testing"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	"github.com/footingdev/footing/contracts/gen/go/footing/ai/v1/aiv1connect"
	"github.com/footingdev/footing/contracts/internal/connecttest"
	"github.com/footingdev/footing/contracts/validation"
)

// countingService counts the calls that reached it.
type countingService struct {
	aiv1connect.UnimplementedAIGatewayServiceHandler
	calls atomic.Int64
}

func (s *countingService) Complete(context.Context, *connect.Request[aiv1.CompleteRequest]) (*connect.Response[aiv1.CompleteResponse], error) {
	s.calls.Add(1)
	return connect.NewResponse(&aiv1.CompleteResponse{Id: "ok"}), nil
}

func (s *countingService) Chat(_ context.Context, _ *connect.Request[aiv1.ChatRequest], stream *connect.ServerStream[aiv1.ChatResponse]) error {
	s.calls.Add(1)
	return stream.Send(&aiv1.ChatResponse{Chunk: &aiv1.ChatChunk{DeltaText: "hi"}})
}

func validChat() *aiv1.ChatRequest {
	return &aiv1.ChatRequest{
		Model:    "claude",
		Messages: []*aiv1.Message{{Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "hello"}}}}},
	}
}

func invalidChat() *aiv1.ChatRequest {
	req := validChat()
	req.Model = ""             // string.min_len
	req.Temperature = new(3.5) // double.lte
	req.Messages[0].Role = 0   // enum.not_in
	return req
}

func wantViolations(t *testing.T, err error) {
	t.Helper()
	d := errs.From(err)
	if d.Code != connect.CodeInvalidArgument || d.Reason != validation.Reason {
		t.Fatalf("details = %+v (err %v)", d, err)
	}
	got := map[string]string{}
	for _, v := range d.FieldViolations {
		got[v.GetField()] = v.GetReason()
	}
	want := map[string]string{
		"model":            "string.min_len",
		"temperature":      "double.gte_lte",
		"messages[0].role": "enum.not_in",
	}
	for field, reason := range want {
		if got[field] != reason {
			t.Errorf("violation for %s = %q, want %q (all: %v)", field, got[field], reason, got)
		}
	}
}

func TestServerRejectsInvalidRequests(t *testing.T) {
	t.Parallel()
	svc := &countingService{}
	path, handler := aiv1connect.NewAIGatewayServiceHandler(svc, connect.WithInterceptors(validation.NewInterceptor()))
	url, httpClient := connecttest.Serve(t, path, handler)
	for _, p := range connecttest.Protocols() {
		t.Run(p.Name, func(t *testing.T) {
			client := aiv1connect.NewAIGatewayServiceClient(httpClient, url, p.Option)
			ctx := context.Background()
			before := svc.calls.Load()

			_, err := client.Complete(ctx, connect.NewRequest(&aiv1.CompleteRequest{Chat: invalidChat()}))
			t.Run("unary", func(t *testing.T) {
				d := errs.From(err)
				// CompleteRequest nests the chat: paths start at "chat.".
				if d.Code != connect.CodeInvalidArgument || len(d.FieldViolations) < 3 || d.FieldViolations[0].GetField()[:5] != "chat." {
					t.Fatalf("details = %+v", d)
				}
			})

			stream, err := client.Chat(ctx, connect.NewRequest(invalidChat()))
			if err != nil {
				t.Fatal(err)
			}
			if stream.Receive() {
				t.Fatal("invalid stream request got a message")
			}
			t.Run("stream", func(t *testing.T) { wantViolations(t, stream.Err()) })
			_ = stream.Close()

			if n := svc.calls.Load() - before; n != 0 {
				t.Fatalf("handler ran %d times for invalid requests", n)
			}
			res, err := client.Complete(ctx, connect.NewRequest(&aiv1.CompleteRequest{Chat: validChat()}))
			if err != nil || res.Msg.GetId() != "ok" {
				t.Fatalf("valid request: %v, %v", res, err)
			}
		})
	}
}

func TestClientRejectsBeforeSending(t *testing.T) {
	t.Parallel()
	svc := &countingService{}
	path, handler := aiv1connect.NewAIGatewayServiceHandler(svc)
	url, httpClient := connecttest.Serve(t, path, handler)
	client := aiv1connect.NewAIGatewayServiceClient(httpClient, url, connect.WithInterceptors(validation.NewInterceptor()))

	stream, err := client.Chat(context.Background(), connect.NewRequest(invalidChat()))
	if err == nil {
		for stream.Receive() {
			t.Fatal("got a message for an invalid request")
		}
		err = stream.Err()
	}
	wantViolations(t, err)
	if svc.calls.Load() != 0 {
		t.Fatal("the invalid request reached the server")
	}
}
