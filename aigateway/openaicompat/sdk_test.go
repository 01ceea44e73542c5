package openaicompat_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"

	"github.com/footingdev/footing/aigateway/gateway"
	"github.com/footingdev/footing/aigateway/openaicompat"
	"github.com/footingdev/footing/aigateway/provider"
	provopenai "github.com/footingdev/footing/aigateway/provider/openai"
	"github.com/footingdev/footing/aigateway/providertest"
	"github.com/footingdev/footing/aigateway/quota"
	"github.com/footingdev/footing/aigateway/router"
)

// bearerTenant stands in for the edge: the client's API key names its tenant.
func bearerTenant(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		ctx := identity.WithPrincipal(r.Context(), &commonv1.Principal{TenantId: key, Subject: "key-" + key})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func setup(t *testing.T, limits quota.Config) (*httptest.Server, *providertest.Fake) {
	t.Helper()
	fake := providertest.NewOpenAI(t)
	p, err := provopenai.New(provopenai.Config{BaseURL: fake.BaseURL(), APIKey: fake.APIKey})
	if err != nil {
		t.Fatal(err)
	}
	r, err := router.New(router.Config{Routes: []router.Route{{Alias: "default-chat", Targets: []router.Target{{Provider: p, Model: "gpt-4o-mini"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	l, _ := quota.New(quota.NewMemoryStore(nil), limits)
	gw, err := gateway.New(gateway.Config{Router: r, Limiter: l})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(bearerTenant(openaicompat.New(gw)))
	t.Cleanup(srv.Close)
	return srv, fake
}

func client(srv *httptest.Server, key string) openai.Client {
	return openai.NewClient(option.WithBaseURL(srv.URL+"/v1/"), option.WithAPIKey(key), option.WithHTTPClient(srv.Client()), option.WithMaxRetries(0))
}

func TestOpenAISDKStreamsAndReadsUsage(t *testing.T) {
	t.Parallel()
	srv, fake := setup(t, quota.Config{})
	fake.Enqueue(providertest.Reply{Steps: []providertest.Step{{Text: "Hello"}, {Text: " there"}}, Usage: &aiv1.Usage{InputTokens: 42, OutputTokens: 7, CacheReadTokens: 2}})
	c := client(srv, "acme")
	stream := c.Chat.Completions.NewStreaming(t.Context(), openai.ChatCompletionNewParams{
		Model:         "default-chat",
		Messages:      []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("be brief"), openai.UserMessage("hi")},
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	})
	acc := openai.ChatCompletionAccumulator{}
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	stream.Close()
	if got := acc.Choices[0].Message.Content; got != "Hello there" {
		t.Errorf("content %q", got)
	}
	if acc.Choices[0].FinishReason != "stop" || acc.Model != "gpt-4o-mini" || acc.ID == "" {
		t.Errorf("finish %q, model %q, id %q", acc.Choices[0].FinishReason, acc.Model, acc.ID)
	}
	if acc.Usage.PromptTokens != 42 || acc.Usage.CompletionTokens != 7 || acc.Usage.TotalTokens != 49 || acc.Usage.PromptTokensDetails.CachedTokens != 2 {
		t.Errorf("usage %+v", acc.Usage)
	}
	// The gateway sent the upstream the route's model, not the alias.
	if reqs := fake.Requests(); len(reqs) != 1 || reqs[0].Model != "gpt-4o-mini" {
		t.Errorf("upstream requests %v", reqs)
	}
}

func TestOpenAISDKUnstreamed(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t, quota.Config{})
	c := client(srv, "acme")
	resp, err := c.Chat.Completions.New(t.Context(), openai.ChatCompletionNewParams{
		Model: "default-chat", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
		MaxCompletionTokens: openai.Int(64),
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].Message.Content != "Hello, world" || resp.Usage.PromptTokens != 10 || resp.Usage.CompletionTokens != 2 {
		t.Fatalf("got %+v", resp)
	}
}

func TestOpenAISDKSeesErrors(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t, quota.Config{Tenant: quota.Limits{RequestsPerMinute: 1}})
	c := client(srv, "acme")
	params := openai.ChatCompletionNewParams{Model: "default-chat", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}}
	if _, err := c.Chat.Completions.New(t.Context(), params); err != nil {
		t.Fatal(err)
	}
	_, err := c.Chat.Completions.New(t.Context(), params)
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTooManyRequests || apiErr.Code != "REQUESTS_PER_MINUTE_EXCEEDED" || apiErr.Response.Header.Get("Retry-After") == "" {
		t.Fatalf("got %v", err)
	}
	params.Model = "no-such-model"
	other := client(srv, "other")
	_, err = other.Chat.Completions.New(t.Context(), params)
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown model: %v", err)
	}
}

func TestOpenAISDKListsModels(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t, quota.Config{})
	c := client(srv, "acme")
	page, err := c.Models.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 1 || page.Data[0].ID != "default-chat" || page.Data[0].OwnedBy != "openai" {
		t.Fatalf("got %+v", page.Data)
	}
}

// TestProviderFailureWithoutRetryHint: when every attempt failed and the provider
// named no time to wait, the answer has no Retry-After (it said "0": retry at once).
func TestProviderFailureWithoutRetryHint(t *testing.T) {
	t.Parallel()
	srv, fake := setup(t, quota.Config{})
	fake.Enqueue(providertest.Fail(provider.KindServer), providertest.Fail(provider.KindServer))
	c := client(srv, "acme")
	_, err := c.Chat.Completions.New(t.Context(), openai.ChatCompletionNewParams{
		Model: "default-chat", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("got %v, want a 503", err)
	}
	if h := apiErr.Response.Header.Values("Retry-After"); len(h) != 0 {
		t.Errorf("Retry-After %q without a hint from the provider", h)
	}
}
