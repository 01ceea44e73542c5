package instrument_test

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	healthv1 "google.golang.org/grpc/health/grpc_health_v1"

	healthv1connect "github.com/footingdev/footing/contracts/gen/go/grpc/health/v1/grpc_health_v1connect"
	"github.com/footingdev/footing/observability/instrument"
)

func TestHTTPMiddlewareAndTransport(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.AlwaysSample())
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		instrument.Annotate(r.Context(), slog.String("cache", "hit"))
		if r.PathValue("id") == "boom" {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "item "+r.PathValue("id"))
	})
	srv := httptest.NewServer(instrument.Middleware(b.opts()...)(mux))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: instrument.Transport(srv.Client().Transport, b.opts()...)}

	get := func(path string) int {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+path+"?token=s3cr3t", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode
	}
	if got := get("/items/42"); got != http.StatusOK {
		t.Fatalf("status %d", got)
	}
	if got := get("/items/boom"); got != http.StatusInternalServerError {
		t.Fatalf("status %d", got)
	}

	spans := b.spans.Ended()
	var servers, clients []sdktrace.ReadOnlySpan
	for _, s := range spans {
		switch s.SpanKind() {
		case trace.SpanKindServer:
			servers = append(servers, s)
		case trace.SpanKindClient:
			clients = append(clients, s)
		}
	}
	if len(servers) != 2 || len(clients) != 2 {
		t.Fatalf("%d server and %d client spans, want 2 and 2", len(servers), len(clients))
	}
	for i := range servers {
		if servers[i].Name() != "GET /items/{id}" {
			t.Fatalf("server span named %q, want the route", servers[i].Name())
		}
		if servers[i].Parent().SpanID() != clients[i].SpanContext().SpanID() {
			t.Fatal("server span is not the child of the client span")
		}
		if full := spanAttrs(clients[i])["url.full"]; full == "" || strings.Contains(full, "s3cr3t") {
			t.Fatalf("client url.full %q: missing or leaks the query", full)
		}
	}
	if servers[1].Status().Code.String() != "Error" || servers[0].Status().Code.String() != "Unset" {
		t.Fatalf("statuses %v, %v", servers[0].Status(), servers[1].Status())
	}

	lines := b.lines(t)
	if len(lines) != 2 {
		t.Fatalf("%d access-log lines, want 2", len(lines))
	}
	if l := lines[0]; l["route"] != "/items/{id}" || l["status"] != float64(200) || l["method"] != "GET" ||
		l["bytes_out"] != float64(len("item 42")) || l["cache"] != "hit" || l["level"] != "INFO" {
		t.Fatalf("access-log line %v", l)
	}
	if l := lines[1]; l["status"] != float64(500) || l["level"] != "ERROR" {
		t.Fatalf("access-log line for a 500 %v", l)
	}

	m := b.metric(t, "http.server.request.duration")
	if m.Unit != "s" {
		t.Fatalf("unit %q", m.Unit)
	}
	statuses := map[string]uint64{}
	for _, dp := range m.Data.(metricdata.Histogram[float64]).DataPoints {
		a := attrMap(dp.Attributes)
		if a["http.route"] != "/items/{id}" || a["http.request.method"] != "GET" || a["url.scheme"] != "http" {
			t.Fatalf("labels %v", a)
		}
		statuses[a["http.response.status_code"]] += dp.Count
	}
	if statuses["200"] != 1 || statuses["500"] != 1 {
		t.Fatalf("counts by status %v", statuses)
	}
	if m := b.metric(t, "http.client.request.duration"); len(m.Data.(metricdata.Histogram[float64]).DataPoints) != 2 {
		t.Fatalf("client duration points %v", m.Data)
	}
}

func TestMiddlewarePanicStillEndsSpan(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.AlwaysSample())
	h := instrument.Middleware(b.opts()...)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("handler bug")
	}))
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not reach the caller")
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x", nil))
	}()
	spans := b.spans.Ended()
	if len(spans) != 1 || spans[0].Status().Code.String() != "Error" {
		t.Fatalf("spans after a panic: %v", spans)
	}
	if l := b.lines(t); len(l) != 1 || l[0]["status"] != float64(500) {
		t.Fatalf("access log after a panic: %v", l)
	}
}

func TestOptionalMetrics(t *testing.T) {
	t.Parallel()
	optional := []string{"http.server.active_requests", "http.server.response.body.size", "footing.rpc.server.active_requests"}
	for _, on := range []bool{false, true} {
		t.Run(map[bool]string{false: "off by default", true: "on"}[on], func(t *testing.T) {
			t.Parallel()
			b := setup(t, sdktrace.AlwaysSample())
			opts := b.opts()
			if on {
				opts = append(opts, instrument.WithOptionalMetrics(true))
			}
			mux := http.NewServeMux()
			mux.Handle(healthv1connect.NewHealthHandler(healthService{}, connect.WithInterceptors(instrument.NewInterceptor(opts...))))
			srv := httptest.NewServer(instrument.Middleware(opts...)(mux))
			t.Cleanup(srv.Close)
			client := healthv1connect.NewHealthClient(srv.Client(), srv.URL)
			if _, err := client.Check(context.Background(), connect.NewRequest(&healthv1.HealthCheckRequest{})); err != nil {
				t.Fatal(err)
			}
			var rm metricdata.ResourceMetrics
			if err := b.reader.Collect(context.Background(), &rm); err != nil {
				t.Fatal(err)
			}
			have := map[string]bool{}
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					have[m.Name] = true
				}
			}
			for _, name := range optional {
				if have[name] != on {
					t.Errorf("%s recorded: %v, want %v", name, have[name], on)
				}
			}
			for _, name := range []string{"http.server.request.duration", "rpc.server.duration"} {
				if !have[name] {
					t.Errorf("%s not recorded", name)
				}
			}
			if on {
				for _, dp := range b.metric(t, "http.server.active_requests").Data.(metricdata.Sum[int64]).DataPoints {
					if dp.Value != 0 {
						t.Errorf("active requests %d after the request", dp.Value)
					}
				}
			}
		})
	}
}

// TestMiddlewareRouteBehindCopyingLayer puts a layer that passes on a copy of
// the request (as authentication middleware does with r.WithContext) between
// the middleware and the mux: the mux's pattern lands on the copy, and
// WithRouter must still find the route for the span name, the metric label
// and the access line, while an unmatched path gets no route at all.
func TestMiddlewareRouteBehindCopyingLayer(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.AlwaysSample())
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.PathValue("id"))
	})
	type ctxKey struct{}
	copying := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, "principal")))
		})
	}
	h := instrument.Middleware(append(b.opts(), instrument.WithRouter(mux))...)(copying(mux))
	for _, path := range []string{"/items/42", "/items/43", "/no/such/path/7f3a"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}

	spans := b.spans.Ended()
	if len(spans) != 3 || spans[0].Name() != "GET /items/{id}" || spans[1].Name() != "GET /items/{id}" || spans[2].Name() != "GET" {
		names := make([]string, len(spans))
		for i, s := range spans {
			names[i] = s.Name()
		}
		t.Fatalf("span names %q, want the route twice, then the method alone", names)
	}
	lines := b.lines(t)
	if len(lines) != 3 || lines[0]["route"] != "/items/{id}" || lines[2]["route"] != "" || lines[2]["status"] != float64(404) {
		t.Fatalf("access-log lines %v", lines)
	}
	routes := map[string]uint64{}
	for _, dp := range b.metric(t, "http.server.request.duration").Data.(metricdata.Histogram[float64]).DataPoints {
		routes[attrMap(dp.Attributes)["http.route"]] += dp.Count
	}
	if len(routes) != 2 || routes["/items/{id}"] != 2 || routes[""] != 1 {
		t.Fatalf("requests by http.route %v: want 2 under the pattern, the 404 under none", routes)
	}
}

// TestNonstandardMethodsDoNotNameSpans sends methods no standard defines: the
// spans are named "HTTP …" as the semantic conventions say, so that clients
// cannot fill a trace backend with span names of their own, and the metrics
// say _OTHER.
func TestNonstandardMethodsDoNotNameSpans(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.AlwaysSample())
	mux := http.NewServeMux()
	mux.HandleFunc("/items/{id}", func(http.ResponseWriter, *http.Request) {})
	srv := httptest.NewServer(instrument.Middleware(b.opts()...)(mux))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: instrument.Transport(srv.Client().Transport, b.opts()...)}
	for _, method := range []string{"PURGE-1f3c9", "X-RANDOM-77"} {
		req, _ := http.NewRequestWithContext(context.Background(), method, srv.URL+"/items/7", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
	}
	for _, s := range b.spans.Ended() {
		want := "HTTP"
		if s.SpanKind() == trace.SpanKindServer {
			want = "HTTP /items/{id}"
		}
		if s.Name() != want {
			t.Errorf("%v span named %q, want %q", s.SpanKind(), s.Name(), want)
		}
	}
	for _, dp := range b.metric(t, "http.server.request.duration").Data.(metricdata.Histogram[float64]).DataPoints {
		if m := attrMap(dp.Attributes)["http.request.method"]; m != "_OTHER" {
			t.Errorf("http.request.method %q", m)
		}
	}
}

// TestBytesInOfStreamedBodies uploads a body of unknown length (chunked, as a
// streaming client sends it): the access line's bytes_in is what the handler
// read, not 0. A body with a Content-Length is reported at that length, read or
// not.
func TestBytesInOfStreamedBodies(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.AlwaysSample())
	mux := http.NewServeMux()
	mux.HandleFunc("POST /upload", func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	})
	mux.HandleFunc("POST /ignore", func(http.ResponseWriter, *http.Request) {})
	srv := httptest.NewServer(instrument.Middleware(b.opts()...)(mux))
	t.Cleanup(srv.Close)

	payload := strings.Repeat("chunk of a stream ", 1000)
	post := func(path string, body io.Reader) {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+path, body)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
	}
	// A reader of unknown length: the client sends it chunked.
	post("/upload", io.MultiReader(strings.NewReader(payload[:5000]), strings.NewReader(payload[5000:])))
	post("/ignore", strings.NewReader("sized"))

	lines := b.lines(t)
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	if got := lines[0]["bytes_in"]; got != float64(len(payload)) {
		t.Errorf("streamed upload: bytes_in %v, want %d", got, len(payload))
	}
	if got := lines[1]["bytes_in"]; got != float64(len("sized")) {
		t.Errorf("sized body, unread: bytes_in %v, want %d", got, len("sized"))
	}
}

// TestServerErrorType checks error.type on the duration of failed requests:
// the status code as a string, as the HTTP semantic conventions say, also for
// a status with no standard text.
func TestServerErrorType(t *testing.T) {
	t.Parallel()
	b := setup(t, sdktrace.AlwaysSample())
	h := instrument.Middleware(b.opts()...)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		w.WriteHeader(code)
	}))
	for _, code := range []string{"200", "503", "599"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x?code="+code, nil))
	}
	got := map[string]string{}
	for _, dp := range b.metric(t, "http.server.request.duration").Data.(metricdata.Histogram[float64]).DataPoints {
		a := attrMap(dp.Attributes)
		got[a["http.response.status_code"]] = a["error.type"]
	}
	want := map[string]string{"200": "", "503": "503", "599": "599"}
	if !maps.Equal(got, want) {
		t.Fatalf("error.type by status %v, want %v", got, want)
	}
}
