package instrument_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/observability/instrument"
	"github.com/footingdev/footing/observability/logging"
)

// TestRoutedPathIsRedactedUnlessItIsTheRoute: a path that is its route exactly
// (a literal pattern, a Connect procedure) is the service's own text and is
// written as it is, without being scanned; a path matched by a wildcard or a
// subtree pattern is the caller's and keeps being redacted.
func TestRoutedPathIsRedactedUnlessItIsTheRoute(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, target, wantPath, wantLine string
	}{
		{"wildcard route", "/reset/" + urlJWT + "/confirm", "/reset/REDACTED/confirm", "/reset/[REDACTED]/confirm"},
		{"subtree route", "/keys/" + openAIKey, "/keys/REDACTED", "/keys/[REDACTED]"},
		{"literal route", "/acme.v1.UserService/GetUser", "/acme.v1.UserService/GetUser", "/acme.v1.UserService/GetUser"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out syncBuffer
			tel := newTelemetry(t, slog.New(logging.NewHandler(&out, nil)))
			mux := http.NewServeMux()
			noop := func(http.ResponseWriter, *http.Request) {}
			mux.HandleFunc("GET /reset/{token}/confirm", noop)
			mux.HandleFunc("GET /keys/", noop)
			mux.HandleFunc("GET /acme.v1.UserService/GetUser", noop)
			srv := httptest.NewServer(instrument.Middleware(tel.opts...)(mux))
			resp, err := srv.Client().Get(srv.URL + tc.target)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			srv.Close()

			attrs := stubAttrs(tel.span(t, trace.SpanKindServer))
			if attrs["url.path"] != tc.wantPath {
				t.Errorf("url.path = %q, want %q", attrs["url.path"], tc.wantPath)
			}
			noSecret(t, "access line", out.String())
			var line map[string]any
			if err := json.Unmarshal([]byte(out.String()), &line); err != nil {
				t.Fatalf("access line %q: %v", out.String(), err)
			}
			if line["path"] != tc.wantLine {
				t.Errorf("access line path = %v, want %q", line["path"], tc.wantLine)
			}
		})
	}
}
