package provider_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/footingdev/footing/contracts/errs"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/aigateway/provider/anthropic"
	"github.com/footingdev/footing/aigateway/provider/gemini"
	"github.com/footingdev/footing/aigateway/provider/openai"
)

// TestForeignErrorBodyStaysServerSide: an error answer that is not in the
// provider's error format — a proxy's or load balancer's page in front of the
// upstream, naming internal hosts and versions — was passed to the caller as the
// provider's message when its status made it an invalid request. It is kept in the
// error's cause for the server's logs; the caller is told the status only.
func TestForeignErrorBodyStaysServerSide(t *testing.T) {
	t.Parallel()
	const page = "<html><body><h1>413 Request Entity Too Large</h1>upstream http://vllm-7.internal.corp:8000/v1 nginx/1.25.3</body></html>"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		_, _ = w.Write([]byte(page))
	}))
	t.Cleanup(srv.Close)
	for name, mk := range map[string]func() (provider.Provider, error){
		"openai": func() (provider.Provider, error) { return openai.New(openai.Config{BaseURL: srv.URL, APIKey: "k"}) },
		"anthropic": func() (provider.Provider, error) {
			return anthropic.New(anthropic.Config{BaseURL: srv.URL, APIKey: "k"})
		},
		"gemini": func() (provider.Provider, error) { return gemini.New(gemini.Config{BaseURL: srv.URL, APIKey: "k"}) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, err := mk()
			if err != nil {
				t.Fatal(err)
			}
			err = chatErr(t.Context(), p)
			var perr *provider.Error
			if !errors.As(err, &perr) || perr.Kind != provider.KindInvalidRequest {
				t.Fatalf("error %v, want an invalid request", err)
			}
			d := errs.From(perr.ConnectError())
			if strings.Contains(d.Message, "internal.corp") || strings.Contains(d.Message, "nginx") || !strings.Contains(d.Message, "413") {
				t.Errorf("the caller's message %q, want the status and nothing of the page", d.Message)
			}
			if !strings.Contains(err.Error(), "internal.corp") {
				t.Errorf("the error %q lost the page the server's logs should have", err)
			}
		})
	}
}
