package instrument_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/observability/instrument"
	"github.com/footingdev/footing/observability/logging"
)

// TestAccessLineIsRedactedWhateverTheHandler: the values layers add with
// Annotate, and the caller's parts of the line (its request id, a client's
// header; its method), reached a logger whose handler is not footing's
// (slog.JSONHandler) as they were: an API key under a secret key, a bearer
// token, a DSN's password in an error, a JWT as the request id. The line now
// redacts them itself, by footing's handler's rules, as it does the path;
// through footing's handler it is the same line.
func TestAccessLineIsRedactedWhateverTheHandler(t *testing.T) {
	t.Parallel()
	handlers := []struct {
		name string
		h    func(*syncBuffer) slog.Handler
	}{
		{"logging.Handler", func(w *syncBuffer) slog.Handler { return logging.NewHandler(w, nil) }},
		{"slog.JSONHandler", func(w *syncBuffer) slog.Handler { return slog.NewJSONHandler(w, nil) }},
	}
	for _, hc := range handlers {
		t.Run(hc.name, func(t *testing.T) {
			t.Parallel()
			var out syncBuffer
			tel := newTelemetry(t, slog.New(hc.h(&out)))
			inner := instrument.Middleware(tel.opts...)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				instrument.Annotate(r.Context(),
					slog.String("api_key", urlSecret),
					slog.String("upstream_auth", "Bearer "+urlSig),
					slog.Any("err", errors.New("dial postgres://app:hunter2pass@db:5432/x: refused")),
					slog.Group("cache", slog.String("result", "hit"), slog.String("key", openAIKey)),
					slog.String(urlJWT, "session"),
					slog.Int("attempts", 2))
			}))
			// An outer layer gives the request its id from the client's
			// header, as gatewaycore's edge does.
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ctx := identity.WithRequestMetadata(r.Context(), &commonv1.RequestMetadata{RequestId: r.Header.Get("X-Request-Id")})
				inner.ServeHTTP(w, r.WithContext(ctx))
			}))
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/items", nil)
			req.Header.Set("X-Request-Id", urlJWT)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			srv.Close() // the handler has returned: the line is written

			noSecret(t, "access line", out.String())
			var line map[string]any
			if err := json.Unmarshal([]byte(out.String()), &line); err != nil {
				t.Fatalf("access line %q: %v", out.String(), err)
			}
			cache, _ := line["cache"].(map[string]any)
			if line["api_key"] != logging.Redacted || line["upstream_auth"] != "Bearer "+logging.Redacted ||
				!strings.Contains(line["err"].(string), "refused") || cache["result"] != "hit" ||
				line["attempts"] != 2.0 || line["path"] != "/items" || line["method"] != "GET" {
				t.Fatalf("access line %s: want the annotations kept but for their secrets", out.String())
			}
		})
	}
}
