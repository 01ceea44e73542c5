package server_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	"github.com/footingdev/footing/contracts/gen/go/footing/ai/v1/aiv1connect"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"

	"github.com/footingdev/footing/aigateway/gateway"
	"github.com/footingdev/footing/aigateway/provider/openai"
	"github.com/footingdev/footing/aigateway/providertest"
	"github.com/footingdev/footing/aigateway/quota"
	"github.com/footingdev/footing/aigateway/router"
	"github.com/footingdev/footing/aigateway/server"
)

// asTenant stands in for the edge's authentication: the X-Tenant header becomes
// the Principal.
func asTenant(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := identity.WithPrincipal(r.Context(), &commonv1.Principal{TenantId: r.Header.Get("X-Tenant"), Subject: "u1"})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func setup(t *testing.T, limits quota.Config) (aiv1connect.AIGatewayServiceClient, *providertest.Fake) {
	t.Helper()
	srv, fake := serve(t, limits)
	return aiv1connect.NewAIGatewayServiceClient(srv.Client(), srv.URL), fake
}

func serve(t *testing.T, limits quota.Config) (*httptest.Server, *providertest.Fake) {
	t.Helper()
	fake := providertest.NewOpenAI(t)
	p, err := openai.New(openai.Config{BaseURL: fake.BaseURL(), APIKey: fake.APIKey})
	if err != nil {
		t.Fatal(err)
	}
	var routes []router.Route
	for _, alias := range []string{"chat", "chat-b", "chat-c"} {
		routes = append(routes, router.Route{Alias: alias, Targets: []router.Target{{Provider: p, Model: "gpt-4o-mini"}}})
	}
	routes = append(routes, router.Route{Alias: "embed", Targets: []router.Target{{Provider: p, Model: "text-embedding-3-small"}}})
	r, err := router.New(router.Config{Routes: routes})
	if err != nil {
		t.Fatal(err)
	}
	l, _ := quota.New(quota.NewMemoryStore(nil), limits)
	gw, err := gateway.New(gateway.Config{Router: r, Limiter: l})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(server.Handler(gw, connect.WithInterceptors(errs.NewInterceptor())))
	srv := httptest.NewServer(asTenant(mux))
	t.Cleanup(srv.Close)
	return srv, fake
}

func chat(model string) *aiv1.ChatRequest {
	return &aiv1.ChatRequest{Model: model, MaxTokens: new(int32(50)), Messages: []*aiv1.Message{{Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "hi"}}}}}}
}

func withTenant[T any](msg *T, tenant string) *connect.Request[T] {
	r := connect.NewRequest(msg)
	r.Header().Set("X-Tenant", tenant)
	return r
}

func TestChatStreamsWithUsageAndCost(t *testing.T) {
	t.Parallel()
	client, fake := setup(t, quota.Config{})
	fake.Enqueue(providertest.Reply{Steps: []providertest.Step{{Text: "a"}, {Text: "b"}, {Text: "c"}}, Usage: &aiv1.Usage{InputTokens: 100, OutputTokens: 3}})
	st, err := client.Chat(t.Context(), withTenant(chat("chat"), "acme"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var text string
	var last *aiv1.ChatChunk
	for st.Receive() {
		text += st.Msg().GetChunk().GetDeltaText()
		last = st.Msg().GetChunk()
	}
	if err := st.Err(); err != nil {
		t.Fatal(err)
	}
	if text != "abc" || last.GetUsage().GetCostNanosUsd() != 100*150+3*600 || last.GetProvider() != "openai" || last.GetId() == "" {
		t.Fatalf("got %q, last chunk %v", text, last)
	}
}

func TestCompleteAndQuotaRefusal(t *testing.T) {
	t.Parallel()
	client, _ := setup(t, quota.Config{Tenant: quota.Limits{RequestsPerMinute: 1}})
	resp, err := client.Complete(t.Context(), withTenant(&aiv1.CompleteRequest{Chat: chat("chat")}, "acme"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Msg.GetMessage().GetContent()[0].GetText() != "Hello, world" || resp.Msg.GetUsage().GetCostNanosUsd() != 10*150+2*600 {
		t.Fatalf("got %v", resp.Msg)
	}
	if enc := resp.Header().Get("Content-Encoding"); enc != "" { // the client accepts gzip; the answer is small
		t.Fatalf("small answer sent with Content-Encoding %q", enc)
	}
	_, err = client.Complete(t.Context(), withTenant(&aiv1.CompleteRequest{Chat: chat("chat")}, "acme"))
	d := errs.From(err)
	if d.Code != connect.CodeResourceExhausted || d.Reason != "REQUESTS_PER_MINUTE_EXCEEDED" || !d.HasRetryAfter || d.RetryAfter <= 0 || d.RetryAfter > time.Minute {
		t.Fatalf("second request in the minute: %v (retry after %v)", err, d.RetryAfter)
	}
	// Another tenant is not affected.
	if _, err := client.Complete(t.Context(), withTenant(&aiv1.CompleteRequest{Chat: chat("chat")}, "globex")); err != nil {
		t.Fatal(err)
	}
}

func TestUnknownModel(t *testing.T) {
	t.Parallel()
	client, _ := setup(t, quota.Config{})
	st, err := client.Chat(t.Context(), withTenant(chat("nope"), "acme"))
	if err == nil {
		for st.Receive() {
		}
		err = st.Err()
		st.Close()
	}
	if d := errs.From(err); d.Code != connect.CodeNotFound || d.Reason != "MODEL_NOT_FOUND" {
		t.Fatalf("got %v", err)
	}
}

func TestEmbed(t *testing.T) {
	t.Parallel()
	client, _ := setup(t, quota.Config{})
	resp, err := client.Embed(t.Context(), withTenant(&aiv1.EmbedRequest{Model: "embed", Inputs: []string{"a", "b"}}, "acme"))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Msg.GetEmbeddings()) != 2 || resp.Msg.GetProvider() != "openai" {
		t.Fatalf("got %v", resp.Msg)
	}
}

func TestListModelsPages(t *testing.T) {
	t.Parallel()
	client, _ := setup(t, quota.Config{})
	var ids []string
	token := ""
	for range 10 {
		resp, err := client.ListModels(t.Context(), withTenant(&aiv1.ListModelsRequest{Page: &commonv1.PageRequest{PageSize: 3, PageToken: token}}, "acme"))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range resp.Msg.GetModels() {
			ids = append(ids, m.GetId())
		}
		if token = resp.Msg.GetPage().GetNextPageToken(); token == "" {
			break
		}
	}
	if len(ids) != 4 || ids[0] != "chat" || ids[3] != "embed" {
		t.Fatalf("ids %v", ids)
	}
	_, err := client.ListModels(t.Context(), withTenant(&aiv1.ListModelsRequest{Page: &commonv1.PageRequest{PageToken: "!!"}}, "acme"))
	if d := errs.From(err); d.Reason != errs.ReasonPageTokenInvalid || len(d.FieldViolations) != 1 || d.FieldViolations[0].GetField() != errs.PageTokenField {
		t.Errorf("bad token: %v", err)
	}
}

// TestDecompressedRequestsAreBounded: the edge's body limit counts compressed
// bytes, so Handler refuses a request message that inflates past MaxRequestBytes
// before decoding it; zeros within the bound reach the decoder.
func TestDecompressedRequestsAreBounded(t *testing.T) {
	t.Parallel()
	srv, _ := serve(t, quota.Config{})
	for _, tc := range []struct {
		size int
		want string
	}{
		{server.MaxRequestBytes + 1, "resource_exhausted"},
		{16, "invalid_argument"},
	} {
		var body bytes.Buffer
		zw := gzip.NewWriter(&body)
		if _, err := zw.Write(make([]byte, tc.size)); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+aiv1connect.AIGatewayServiceCompleteProcedure, &body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/proto")
		req.Header.Set("Content-Encoding", "gzip")
		req.Header.Set("X-Tenant", "acme")
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e struct {
			Code string `json:"code"`
		}
		err = json.NewDecoder(res.Body).Decode(&e)
		_ = res.Body.Close()
		if err != nil {
			t.Fatalf("status %d: %v", res.StatusCode, err)
		}
		if e.Code != tc.want {
			t.Errorf("%d bytes inflated: code %q, want %q", tc.size, e.Code, tc.want)
		}
	}
}
