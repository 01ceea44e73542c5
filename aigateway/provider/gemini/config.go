package gemini

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/footingdev/footing/aigateway/provider/internal/call"
)

// DefaultBaseURL is the Gemini API, with its version path.
const DefaultBaseURL = "https://generativelanguage.googleapis.com/v1beta"

// Config configures a [Provider]. The zero value plus an APIKey talks to Gemini.
type Config struct {
	// Name is the provider's name; default "gemini".
	Name string
	// BaseURL is the API root with its version path; default [DefaultBaseURL].
	BaseURL string
	// APIKey is sent as x-goog-api-key. Required.
	APIKey string
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
	return p.Err("gemini")
}

func (c Config) withDefaults() Config {
	if c.Name == "" {
		c.Name = "gemini"
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return c
}
