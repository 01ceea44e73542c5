package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"connectrpc.com/connect"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	"github.com/footingdev/footing/contracts/gen/go/footing/ai/v1/aiv1connect"
	"github.com/footingdev/footing/gatewaycore/auth"
)

type countingStore struct {
	auth.MemoryAPIKeyStore
	lookups atomic.Int64
}

func (s *countingStore) LookupAPIKey(ctx context.Context, id string) (*auth.APIKey, error) {
	s.lookups.Add(1)
	return s.MemoryAPIKeyStore.LookupAPIKey(ctx, id)
}

// TestMiddlewareThenInterceptor: with both in the chain, the credential is verified
// once (by the middleware) and the interceptor only re-checks the policy.
func TestMiddlewareThenInterceptor(t *testing.T) {
	t.Parallel()
	store := &countingStore{}
	a, _ := setup(t, func(c *auth.Config) { c.APIKeys = store })
	presented, stored, err := auth.NewAPIKey("", "tenant-1", []string{"chat"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	store.Put(stored)
	policy, err := auth.NewPolicy(map[string]auth.Rule{aiv1connect.AIGatewayServiceChatProcedure: auth.RequireScopes("chat")})
	if err != nil {
		t.Fatal(err)
	}
	path, h := aiv1connect.NewAIGatewayServiceHandler(aiService{}, connect.WithInterceptors(a.Interceptor(policy)))
	mux := http.NewServeMux()
	mux.Handle(path, a.Middleware(policy)(h))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client := aiv1connect.NewAIGatewayServiceClient(srv.Client(), srv.URL)

	req := connect.NewRequest(&aiv1.ChatRequest{Model: "m"})
	req.Header().Set("X-API-Key", presented)
	stream, err := client.Chat(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	for stream.Receive() {
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	_ = stream.Close()
	if got := stream.ResponseHeader().Get(subjectHeader); got != "apikey:"+stored.ID {
		t.Fatalf("handler saw subject %q", got)
	}
	if n := store.lookups.Load(); n != 1 {
		t.Fatalf("API key looked up %d times, want once", n)
	}
}

// TestInterceptorPassesClientCalls: on a client, the interceptor never gets in the way.
func TestInterceptorPassesClientCalls(t *testing.T) {
	t.Parallel()
	a, _ := setup(t)
	empty, err := auth.NewPolicy(nil)
	if err != nil {
		t.Fatal(err)
	}
	path, h := aiv1connect.NewAIGatewayServiceHandler(aiService{})
	mux := http.NewServeMux()
	mux.Handle(path, h)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client := aiv1connect.NewAIGatewayServiceClient(srv.Client(), srv.URL, connect.WithInterceptors(a.Interceptor(empty)))
	_, err = client.Complete(t.Context(), connect.NewRequest(&aiv1.CompleteRequest{}))
	if connect.CodeOf(err) != connect.CodeUnimplemented {
		t.Fatalf("unary client call: %v, want the server's Unimplemented", err)
	}
	stream, err := client.Chat(t.Context(), connect.NewRequest(&aiv1.ChatRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	for stream.Receive() {
	}
	_ = stream.Close()
	// The server has no auth, so its handler finds no principal and says so.
	if stream.Err() == nil || connect.CodeOf(stream.Err()) == connect.CodePermissionDenied {
		t.Fatalf("streaming client call: %v, want the handler's own error", stream.Err())
	}
}
