package provider_test

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/footingdev/footing/aigateway/provider"
)

// What the router does with a provider failure.
func ExampleError() {
	var err error = &provider.Error{Provider: "anthropic", Kind: provider.KindOverloaded, StatusCode: 529,
		Type: "overloaded_error", Message: "Overloaded"}
	var pe *provider.Error
	if errors.As(err, &pe) {
		fmt.Println(pe)
		fmt.Println("retry:", pe.Retryable(), "fall back:", pe.Fallback(), "caller sees:", pe.ConnectError().Code())
	}
	// Output:
	// anthropic: overloaded (HTTP 529) overloaded_error: Overloaded
	// retry: true fall back: true caller sees: unavailable
}

func ExampleParseRetryAfter() {
	h := http.Header{}
	h.Set("Retry-After", "20")
	h.Set("Retry-After-Ms", "1500")
	fmt.Println(provider.ParseRetryAfter(h, time.Now()))
	// Output: 1.5s
}

func ExampleKindForStatus() {
	for _, s := range []int{400, 401, 429, 529} {
		fmt.Println(s, provider.KindForStatus(s))
	}
	// Output:
	// 400 invalid_request
	// 401 auth
	// 429 rate_limited
	// 529 overloaded
}
