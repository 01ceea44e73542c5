package openai

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/footingdev/footing/aigateway/provider/internal/call"
)

// DefaultBaseURL is OpenAI's API.
const DefaultBaseURL = "https://api.openai.com/v1"

// Config configures a [Provider]. The zero value plus an APIKey talks to OpenAI.
type Config struct {
	// Name is the provider's name in chunks, errors, prices and telemetry;
	// default "openai". Name OpenAI-compatible servers after what they are
	// ("vllm", "ollama").
	Name string
	// BaseURL is the API root, with its version path; default [DefaultBaseURL].
	// For compatible servers: "http://localhost:8000/v1" (vLLM),
	// "http://localhost:11434/v1" (Ollama), "http://localhost:8080/v1" (llama.cpp).
	BaseURL string
	// APIKey is sent as a bearer token. Local servers may need none.
	APIKey string
	// Organization and Project set the OpenAI-Organization and OpenAI-Project headers.
	Organization string
	Project      string
	// Header is sent with every request (for proxies that want their own headers).
	Header http.Header
	// MaxTokensField is the request field max_tokens goes to: default
	// "max_completion_tokens" for OpenAI itself, "max_tokens" for other servers.
	MaxTokensField string
	// NoStreamUsage leaves out stream_options.include_usage, for servers that
	// reject it. Usage is then read from any chunk that carries one, if any does.
	NoStreamUsage bool
	// HTTPClient sends the requests; default a shared client with no timeout and
	// no retries (the router owns both).
	HTTPClient *http.Client
}

// Validate reports every problem of c at once.
func (c Config) Validate() error {
	var p call.Problems
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.Add("BaseURL", "must be an absolute http(s) URL")
		}
	}
	if c.APIKey == "" && (c.BaseURL == "" || c.BaseURL == DefaultBaseURL) {
		p.Add("APIKey", "is required for OpenAI's API")
	}
	if strings.ContainsAny(c.APIKey, "\r\n") {
		p.Add("APIKey", "holds a line break")
	}
	switch c.MaxTokensField {
	case "", "max_tokens", "max_completion_tokens":
	default:
		p.Add("MaxTokensField", `must be "max_tokens" or "max_completion_tokens"`)
	}
	return p.Err("openai")
}

func (c Config) withDefaults() Config {
	if c.Name == "" {
		c.Name = "openai"
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.MaxTokensField == "" {
		c.MaxTokensField = "max_tokens"
		if c.BaseURL == DefaultBaseURL {
			c.MaxTokensField = "max_completion_tokens"
		}
	}
	return c
}
