package instrument_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"

	"connectrpc.com/connect"

	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/observability/instrument"
)

// stableLogger writes JSON lines without the fields that change between runs.
func stableLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{}
			}
			return a
		},
	}))
}

func ExampleMiddleware() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "item ", r.PathValue("id"))
	})
	handler := instrument.Middleware(instrument.WithLogger(stableLogger()))(mux)

	handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/items/7", nil))
	// Output:
	// {"level":"INFO","msg":"http request","method":"GET","route":"/items/{id}","path":"/items/7","status":200,"bytes_in":0,"bytes_out":6}
}

func ExampleNewInterceptor() {
	icpt := instrument.NewInterceptor(instrument.WithLogger(stableLogger()))

	// The same interceptor serves handlers and clients.
	path, handler := healthv1connect.NewHealthHandler(healthv1connect.UnimplementedHealthHandler{},
		connect.WithInterceptors(icpt))
	fmt.Println(path)
	_ = handler
	// Output: /grpc.health.v1.Health/
}

func ExampleWithRouter() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "item ", r.PathValue("id"))
	})
	// A layer that passes on a copy of the request, as authentication does.
	auth := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(r.Context()))
		})
	}
	handler := instrument.Middleware(instrument.WithLogger(stableLogger()), instrument.WithRouter(mux))(auth(mux))

	handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/items/7", nil))
	// Output:
	// {"level":"INFO","msg":"http request","method":"GET","route":"/items/{id}","path":"/items/7","status":200,"bytes_in":0,"bytes_out":6}
}
