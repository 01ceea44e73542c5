package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"connectrpc.com/connect"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	"github.com/footingdev/footing/contracts/gen/go/footing/ai/v1/aiv1connect"

	"github.com/footingdev/footing/aigateway/gateway"
	"github.com/footingdev/footing/aigateway/provider/openai"
	"github.com/footingdev/footing/aigateway/providertest"
	"github.com/footingdev/footing/aigateway/router"
	"github.com/footingdev/footing/aigateway/server"
)

func ExampleHandler() {
	fake, _ := providertest.Start(providertest.OpenAI)
	defer fake.Close()
	p, _ := openai.New(openai.Config{BaseURL: fake.BaseURL(), APIKey: fake.APIKey})
	r, _ := router.New(router.Config{Routes: []router.Route{{Alias: "default-chat", Targets: []router.Target{{Provider: p, Model: "gpt-4o-mini"}}}}})
	gw, _ := gateway.New(gateway.Config{Router: r})

	mux := http.NewServeMux()
	mux.Handle(server.Handler(gw))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	client := aiv1connect.NewAIGatewayServiceClient(srv.Client(), srv.URL)
	st, _ := client.Chat(context.Background(), connect.NewRequest(&aiv1.ChatRequest{Model: "default-chat", Messages: []*aiv1.Message{{
		Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "Hi"}}},
	}}}))
	defer st.Close()
	for st.Receive() {
		c := st.Msg().GetChunk()
		fmt.Printf("%q cost=%d\n", c.GetDeltaText(), c.GetUsage().GetCostNanosUsd())
	}
	// Output:
	// "Hello" cost=0
	// ", world" cost=0
	// "" cost=2700
}
