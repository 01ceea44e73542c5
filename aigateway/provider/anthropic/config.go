package anthropic

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/footingdev/footing/aigateway/provider/internal/call"
)

// Defaults of [Config].
const (
	DefaultBaseURL   = "https://api.anthropic.com"
	DefaultVersion   = "2023-06-01"
	DefaultMaxTokens = 4096
)

// Config configures a [Provider]. The zero value plus an APIKey talks to Anthropic.
type Config struct {
	// Name is the provider's name; default "anthropic".
	Name string
	// BaseURL is the API root without a version path; default [DefaultBaseURL].
	BaseURL string
	// APIKey is sent as x-api-key. Required.
	APIKey string
	// Version is sent as anthropic-version; default [DefaultVersion].
	Version string
	// Beta names are sent in the anthropic-beta header.
	Beta []string
	// DefaultMaxTokens is sent as max_tokens (which the API requires) when the
	// request sets none; default [DefaultMaxTokens].
	DefaultMaxTokens int32
	// Header is sent with every request.
	Header http.Header
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
	if c.APIKey == "" {
		p.Add("APIKey", "is required")
	}
	if strings.ContainsAny(c.APIKey, "\r\n") {
		p.Add("APIKey", "holds a line break")
	}
	if c.DefaultMaxTokens < 0 {
		p.Add("DefaultMaxTokens", "must not be negative")
	}
	return p.Err("anthropic")
}

func (c Config) withDefaults() Config {
	if c.Name == "" {
		c.Name = "anthropic"
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.Version == "" {
		c.Version = DefaultVersion
	}
	if c.DefaultMaxTokens == 0 {
		c.DefaultMaxTokens = DefaultMaxTokens
	}
	return c
}
