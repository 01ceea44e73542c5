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
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/proto"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/observability/instrument"
	"github.com/footingdev/footing/observability/logging"
)

// opaque hides a *logging.Handler behind another type, so that the
// instrumentation writes its lines through slog.Logger, the general path.
type opaque struct{ slog.Handler }

// TestAccessLineSameThroughFastPath serves the same requests with footing's
// logging.Handler (whose WriteRecord the instrumentation uses) and with the
// same handler behind slog.Logger: the lines must carry the same fields and
// values, but for the time, the duration and the span id, which differ from
// request to request. logging's TestWriteRecordMatchesHandle shows that the
// two paths write the same bytes for the same record.
func TestAccessLineSameThroughFastPath(t *testing.T) {
	t.Parallel()
	body, err := proto.Marshal(&healthv1.HealthCheckRequest{Service: "missing"})
	if err != nil {
		t.Fatal(err)
	}
	run := func(t *testing.T, h slog.Handler, behindMiddleware bool) {
		t.Helper()
		b := setup(t, sdktrace.ParentBased(sdktrace.AlwaysSample()))
		opts := append(b.opts(), instrument.WithLogger(slog.New(h)))
		mux := http.NewServeMux()
		mux.Handle(healthv1connect.NewHealthHandler(healthService{}, connect.WithInterceptors(instrument.NewInterceptor(opts...))))
		mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
			instrument.Annotate(r.Context(), slog.String("cache", "hit"))
			_, _ = w.Write([]byte("item"))
		})
		var handler http.Handler = mux
		if behindMiddleware {
			handler = instrument.Middleware(opts...)(mux)
		}
		ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: "acme\"\n", UserId: "u-1"})
		ctx = identity.WithRequestMetadata(ctx, &commonv1.RequestMetadata{RequestId: "req-<1>"})
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, healthv1connect.HealthCheckProcedure, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/proto")
		req.Header.Set("Traceparent", "00-0102030405060708090a0b0c0d0e0f10-0102030405060708-01")
		handler.ServeHTTP(httptest.NewRecorder(), req)
		if behindMiddleware {
			req = httptest.NewRequestWithContext(ctx, http.MethodGet, "/items/7", nil)
			req.Header.Set("Traceparent", "00-0102030405060708090a0b0c0d0e0f10-0102030405060708-01")
			handler.ServeHTTP(httptest.NewRecorder(), req)
		}
	}
	for _, tc := range []struct {
		name             string
		behindMiddleware bool
	}{{"middleware", true}, {"interceptor alone", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var fastOut, slowOut syncBuffer
			run(t, logging.NewHandler(&fastOut, nil), tc.behindMiddleware)
			run(t, opaque{logging.NewHandler(&slowOut, nil)}, tc.behindMiddleware)
			fast, slow := decodeLines(t, fastOut.String()), decodeLines(t, slowOut.String())
			if len(fast) == 0 || len(fast) != len(slow) {
				t.Fatalf("%d lines through WriteRecord, %d through slog.Logger", len(fast), len(slow))
			}
			for i := range fast {
				for _, k := range []string{"time", "duration", "span_id"} {
					if _, ok := fast[i][k]; !ok {
						t.Fatalf("line %d has no %s: %v", i, k, fast[i])
					}
					delete(fast[i], k)
					delete(slow[i], k)
				}
				f, _ := json.Marshal(fast[i])
				s, _ := json.Marshal(slow[i])
				if !bytes.Equal(f, s) {
					t.Fatalf("line %d differs:\nWriteRecord: %s\nslog.Logger: %s", i, f, s)
				}
			}
		})
	}
}

func decodeLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for line := range bytes.SplitSeq(bytes.TrimSpace([]byte(out)), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		lines = append(lines, m)
	}
	return lines
}
