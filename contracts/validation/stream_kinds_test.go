package validation_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"connectrpc.com/connect"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	"github.com/footingdev/footing/contracts/internal/connecttest"
	"github.com/footingdev/footing/contracts/validation"
)

const (
	clientStreamProc = "/footing.test.v1.StreamService/Upload"
	bidiStreamProc   = "/footing.test.v1.StreamService/Converse"
)

// TestEveryStreamedMessageIsValidated: on a client stream and a bidi stream (footing's
// protos have none yet, so the procedures are built here), the server checks every
// message as it is received, not only the first: a valid first message is handed to
// the handler, the invalid second one never is, and the call ends with the
// violations; a client with the interceptor refuses to send the invalid one.
func TestEveryStreamedMessageIsValidated(t *testing.T) {
	t.Parallel()
	var handled atomic.Int64
	receiveAll := func(receive func() (*aiv1.ChatRequest, error)) error {
		for {
			msg, err := receive()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if msg.GetModel() == "" {
				t.Error("an invalid message reached the handler")
			}
			handled.Add(1)
		}
	}
	interceptors := connect.WithInterceptors(validation.NewInterceptor())
	mux := http.NewServeMux()
	mux.Handle(clientStreamProc, connect.NewClientStreamHandler(clientStreamProc,
		func(_ context.Context, s *connect.ClientStream[aiv1.ChatRequest]) (*connect.Response[aiv1.ChatResponse], error) {
			err := receiveAll(func() (*aiv1.ChatRequest, error) {
				if s.Receive() {
					return s.Msg(), nil
				}
				if s.Err() != nil {
					return nil, s.Err()
				}
				return nil, io.EOF
			})
			if err != nil {
				return nil, err
			}
			return connect.NewResponse(&aiv1.ChatResponse{}), nil
		}, interceptors))
	mux.Handle(bidiStreamProc, connect.NewBidiStreamHandler(bidiStreamProc,
		func(_ context.Context, s *connect.BidiStream[aiv1.ChatRequest, aiv1.ChatResponse]) error {
			return receiveAll(s.Receive)
		}, interceptors))
	url, httpClient := connecttest.Serve(t, "/", mux)

	for _, p := range connecttest.Protocols() {
		before := handled.Load()
		upload := connect.NewClient[aiv1.ChatRequest, aiv1.ChatResponse](httpClient, url+clientStreamProc, p.Option)
		cs := upload.CallClientStream(context.Background())
		for _, msg := range []*aiv1.ChatRequest{validChat(), invalidChat(), validChat()} {
			if cs.Send(msg) != nil {
				break // the server answered early; CloseAndReceive has its error
			}
		}
		_, err := cs.CloseAndReceive()
		wantViolations(t, err)

		converse := connect.NewClient[aiv1.ChatRequest, aiv1.ChatResponse](httpClient, url+bidiStreamProc, p.Option)
		bs := converse.CallBidiStream(context.Background())
		for _, msg := range []*aiv1.ChatRequest{validChat(), invalidChat(), validChat()} {
			if bs.Send(msg) != nil {
				break
			}
		}
		_ = bs.CloseRequest()
		_, err = bs.Receive()
		wantViolations(t, err)
		_ = bs.CloseResponse()
		if n := handled.Load() - before; n != 2 {
			t.Fatalf("%s: the handlers got %d valid messages, want 2 (the first of each call)", p.Name, n)
		}

		// A client with the interceptor never sends the invalid message.
		checked := connect.NewClient[aiv1.ChatRequest, aiv1.ChatResponse](httpClient, url+bidiStreamProc, p.Option, interceptors)
		bs = checked.CallBidiStream(context.Background())
		if err := bs.Send(validChat()); err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		wantViolations(t, bs.Send(invalidChat()))
		_ = bs.CloseRequest()
		if _, err := bs.Receive(); !errors.Is(err, io.EOF) {
			t.Fatalf("%s: the call after a refused send ended with %v", p.Name, err)
		}
		_ = bs.CloseResponse()
	}
}
