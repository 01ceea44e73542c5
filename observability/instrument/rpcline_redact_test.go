package instrument_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"connectrpc.com/connect"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/proto"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/observability/instrument"
	"github.com/footingdev/footing/observability/logging"
)

// TestRPCLineIsRedactedWhateverTheHandler: the interceptor's own "rpc" line
// (a Connect handler not behind Middleware) wrote the request id (a client's
// header, which may hold a JWT), the tenant and the user as they were to a
// logger whose handler is not footing's, as the access line did before
// 7908cd8. It now redacts them by footing's rules; footing's handler writes
// the same line.
func TestRPCLineIsRedactedWhateverTheHandler(t *testing.T) {
	t.Parallel()
	body, err := proto.Marshal(&healthv1.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, hc := range []struct {
		name string
		h    func(*syncBuffer) slog.Handler
	}{
		{"logging.Handler", func(w *syncBuffer) slog.Handler { return logging.NewHandler(w, nil) }},
		{"slog.JSONHandler", func(w *syncBuffer) slog.Handler { return slog.NewJSONHandler(w, nil) }},
	} {
		t.Run(hc.name, func(t *testing.T) {
			t.Parallel()
			var out syncBuffer
			tel := newTelemetry(t, slog.New(hc.h(&out)))
			mux := http.NewServeMux()
			mux.Handle(healthv1connect.NewHealthHandler(healthService{}, connect.WithInterceptors(instrument.NewInterceptor(tel.opts...))))
			ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: "acme", UserId: "Bearer " + urlSig})
			ctx = identity.WithRequestMetadata(ctx, &commonv1.RequestMetadata{RequestId: urlJWT})
			req := httptest.NewRequestWithContext(ctx, http.MethodPost, healthv1connect.HealthCheckProcedure, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/proto")
			mux.ServeHTTP(httptest.NewRecorder(), req)

			noSecret(t, "rpc line", out.String())
			var line map[string]any
			if err := json.Unmarshal([]byte(out.String()), &line); err != nil {
				t.Fatalf("rpc line %q: %v", out.String(), err)
			}
			if line["msg"] != "rpc" || line["procedure"] != healthv1connect.HealthCheckProcedure || line["tenant"] != "acme" ||
				line["request_id"] != logging.Redacted || line["user"] != "Bearer "+logging.Redacted {
				t.Fatalf("rpc line %s: want the procedure and tenant kept, the request id and user redacted", out.String())
			}
		})
	}
}
