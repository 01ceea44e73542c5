package validation_test

import (
	"context"
	"net/http"
	"testing"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	"github.com/footingdev/footing/contracts/gen/go/footing/ai/v1/aiv1connect"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/contracts/internal/connecttest"
	"github.com/footingdev/footing/contracts/validation"
)

// withRequestID puts request id "req-9" in every request's context, as gatewaycore's
// edge does.
func withRequestID(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(identity.WithRequestMetadata(r.Context(), &commonv1.RequestMetadata{RequestId: "req-9"})))
	})
}

// requestIDOf returns the request id a rejected request's error names, unary and
// streaming, with the interceptors in the given order (the first is the outermost).
func requestIDOf(t *testing.T, interceptors ...connect.Interceptor) (unary, stream string) {
	t.Helper()
	path, handler := aiv1connect.NewAIGatewayServiceHandler(&countingService{}, connect.WithInterceptors(interceptors...))
	url, httpClient := connecttest.Serve(t, path, withRequestID(handler))
	client := aiv1connect.NewAIGatewayServiceClient(httpClient, url)
	_, err := client.Complete(context.Background(), connect.NewRequest(&aiv1.CompleteRequest{Chat: invalidChat()}))
	unary = errs.From(err).RequestID
	s, err := client.Chat(context.Background(), connect.NewRequest(invalidChat()))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for s.Receive() {
		t.Fatal("an invalid request got a message")
	}
	return unary, errs.From(s.Err()).RequestID
}

// TestErrsInterceptorGoesFirst: with errs.NewInterceptor outside validation's (first
// in WithInterceptors, as the README shows), a rejected request's error names the
// request id, unary and streaming. (In the other order a unary rejection never passes
// through the errs interceptor and names none, while a streaming one does.)
func TestErrsInterceptorGoesFirst(t *testing.T) {
	t.Parallel()
	unary, stream := requestIDOf(t, errs.NewInterceptor(), validation.NewInterceptor())
	if unary != "req-9" || stream != "req-9" {
		t.Fatalf("errs first: request ids %q (unary), %q (stream)", unary, stream)
	}
}
