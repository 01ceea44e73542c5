package gateway_test

import (
	"context"
	"fmt"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"

	"github.com/footingdev/footing/aigateway/gateway"
	"github.com/footingdev/footing/aigateway/provider/openai"
	"github.com/footingdev/footing/aigateway/providertest"
	"github.com/footingdev/footing/aigateway/quota"
	"github.com/footingdev/footing/aigateway/router"
)

func Example() {
	fake, _ := providertest.Start(providertest.OpenAI) // stands in for api.openai.com
	defer fake.Close()
	p, _ := openai.New(openai.Config{BaseURL: fake.BaseURL(), APIKey: fake.APIKey})
	r, _ := router.New(router.Config{Routes: []router.Route{{Alias: "default-chat", Targets: []router.Target{{Provider: p, Model: "gpt-4o-mini"}}}}})
	limits, _ := quota.New(quota.NewMemoryStore(nil), quota.Config{Tenant: quota.Limits{RequestsPerMinute: 60, Budget: 1e9}})
	gw, _ := gateway.New(gateway.Config{Router: r, Limiter: limits})

	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: "acme"})
	resp, err := gw.Complete(ctx, &aiv1.ChatRequest{Model: "default-chat", Messages: []*aiv1.Message{{
		Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "Hi"}}},
	}}})
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.GetMessage().GetContent()[0].GetText(), resp.GetUsage().GetInputTokens(), resp.GetUsage().GetOutputTokens(), resp.GetUsage().GetCostNanosUsd())
	// Output: Hello, world 10 2 2700
}
