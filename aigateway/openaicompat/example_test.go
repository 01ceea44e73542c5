package openaicompat_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/footingdev/footing/aigateway/gateway"
	"github.com/footingdev/footing/aigateway/openaicompat"
	provopenai "github.com/footingdev/footing/aigateway/provider/openai"
	"github.com/footingdev/footing/aigateway/providertest"
	"github.com/footingdev/footing/aigateway/router"
)

func Example() {
	up, _ := providertest.Start(providertest.OpenAI) // stands in for any provider

	defer up.Close()
	p, _ := provopenai.New(provopenai.Config{BaseURL: up.BaseURL(), APIKey: up.APIKey})
	r, _ := router.New(router.Config{Routes: []router.Route{{Alias: "default-chat", Targets: []router.Target{{Provider: p, Model: "gpt-4o-mini"}}}}})
	gw, _ := gateway.New(gateway.Config{Router: r})
	srv := httptest.NewServer(openaicompat.New(gw))
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(
		`{"model":"default-chat","stream":true,"messages":[{"role":"user","content":"Hi"}]}`))
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "data: ") {
			fmt.Println(len(line) > 6, strings.Contains(line, `"content":"Hello"`), strings.HasSuffix(line, "[DONE]"))
		}
	}
	// Output:
	// true true false
	// true false false
	// true false false
	// true false true
}

// An invalid request is answered in OpenAI's error format, naming the parameter,
// and nothing is sent upstream.
func ExampleNew_invalidRequest() {
	up, _ := providertest.Start(providertest.OpenAI)
	defer up.Close()
	p, _ := provopenai.New(provopenai.Config{BaseURL: up.BaseURL(), APIKey: up.APIKey})
	r, _ := router.New(router.Config{Routes: []router.Route{{Alias: "default-chat", Targets: []router.Target{{Provider: p, Model: "gpt-4o-mini"}}}}})
	gw, _ := gateway.New(gateway.Config{Router: r})
	srv := httptest.NewServer(openaicompat.New(gw))
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(
		`{"model":"default-chat","temperature":3,"messages":[{"role":"user","content":"Hi"}]}`))
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode)
	fmt.Print(string(body))
	fmt.Println(len(up.Requests()))
	// Output:
	// 400
	// {"error":{"message":"invalid chat completion request: temperature must be greater than or equal to 0 and less than or equal to 2","type":"invalid_request_error","param":"temperature","code":"INVALID_REQUEST"}}
	// 0
}
