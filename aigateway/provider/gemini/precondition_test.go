package gemini_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/aigateway/provider"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
)

// TestFailedPreconditionIsTheAccount: Gemini answers 400 FAILED_PRECONDITION
// when the gateway's account cannot use the API from where it calls ("User
// location is not supported for the API use.", which a proxy or egress in
// another region brings about) or without billing ("Gemini API free tier is not
// available in your country."). It was classified by its 400 as an invalid
// request: no other target was tried, and the caller was told its request was
// wrong, with Google's message about the gateway's account. It is now KindAuth,
// as a bad key is: not retried here, another target may serve, the message kept
// server-side. In a stream, FAILED_PRECONDITION maps the same way.
func TestFailedPreconditionIsTheAccount(t *testing.T) {
	t.Parallel()
	for _, msg := range []string{"User location is not supported for the API use.",
		"Gemini API free tier is not available in your country. Please enable billing on your project in Google AI Studio."} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=UTF-8")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte("{\n  \"error\": {\n    \"code\": 400,\n    \"message\": \"" + msg + "\",\n    \"status\": \"FAILED_PRECONDITION\"\n  }\n}\n"))
		}))
		p := newProvider(t, srv.URL+"/v1beta", "AIza-test")
		_, err := p.Chat(t.Context(), &aiv1.ChatRequest{Model: "gemini-2.5-flash", Messages: []*aiv1.Message{
			{Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: "hi"}}}}}})
		srv.Close()
		var pe *provider.Error
		if !errors.As(err, &pe) {
			t.Fatalf("%q: got %v", msg, err)
		}
		if pe.Kind != provider.KindAuth || pe.Retryable() || !pe.Fallback() {
			t.Errorf("%q: kind %v (retryable %v, fallback %v), want auth: not retried, another target may serve", msg, pe.Kind, pe.Retryable(), pe.Fallback())
		}
		if ce := pe.ConnectError(); ce.Code() == connect.CodeInvalidArgument || strings.Contains(ce.Message(), "location") || strings.Contains(ce.Message(), "billing") {
			t.Errorf("%q: the caller is told %v", msg, ce)
		}
	}
}
