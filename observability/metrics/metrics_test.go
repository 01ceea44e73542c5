package metrics_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.uber.org/goleak"

	"github.com/footingdev/footing/observability/instrument"
	"github.com/footingdev/footing/observability/metrics"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// setup serves one instrumented route and /metrics from a fresh registry, and
// makes two requests to the route.
func setup(t *testing.T) (*httptest.Server, func() map[string]*dto.MetricFamily) {
	t.Helper()
	reg := metrics.NewRegistry()
	res := resource.NewSchemaless(attribute.String("service.name", "metrics-test"))
	mp, err := metrics.NewMeterProvider(reg, res)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })

	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	mux.Handle("GET /metrics", metrics.Handler(reg))
	srv := httptest.NewServer(instrument.Middleware(instrument.WithMeterProvider(mp), instrument.WithAccessLog(false))(mux))
	t.Cleanup(srv.Close)
	for _, p := range []string{"/items/1", "/items/2"} {
		resp, err := srv.Client().Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
	}
	gather := func() map[string]*dto.MetricFamily {
		fams, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]*dto.MetricFamily{}
		for _, f := range fams {
			m[f.GetName()] = f
		}
		return m
	}
	return srv, gather
}

func TestGatherNamesUnitsLabels(t *testing.T) {
	t.Parallel()
	_, gather := setup(t)
	fams := gather()
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", "target_info"} {
		if fams[name] == nil {
			t.Fatalf("registry lacks %s", name)
		}
	}
	f := fams["http_server_request_duration_seconds"]
	if f == nil || f.GetType() != dto.MetricType_HISTOGRAM {
		t.Fatalf("http_server_request_duration_seconds: %v", f)
	}
	if f.GetUnit() != "" && f.GetUnit() != "seconds" {
		t.Fatalf("unit %q", f.GetUnit())
	}
	var count uint64
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["http_route"] == "/items/{id}" {
			if labels["http_request_method"] != "GET" || labels["http_response_status_code"] != "200" || labels["url_scheme"] != "http" {
				t.Fatalf("labels %v", labels)
			}
			count += m.GetHistogram().GetSampleCount()
		}
	}
	if count != 2 {
		t.Fatalf("route histogram counted %d requests, want 2", count)
	}
	if ti := fams["target_info"].GetMetric()[0]; !hasLabel(ti, "service_name", "metrics-test") {
		t.Fatalf("target_info lacks the service name: %v", ti)
	}
}

func hasLabel(m *dto.Metric, name, value string) bool {
	for _, l := range m.GetLabel() {
		if l.GetName() == name && l.GetValue() == value {
			return true
		}
	}
	return false
}

func TestScrape(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t)
	tests := []struct {
		name, accept, wantType string
		wantEOF                bool
	}{
		{"prometheus text", "", "text/plain", false},
		{"openmetrics", "application/openmetrics-text;version=1.0.0", "application/openmetrics-text", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+"/metrics", nil)
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			text := string(body)
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.wantType) {
				t.Fatalf("Content-Type %q, want %s", ct, tc.wantType)
			}
			if strings.HasSuffix(strings.TrimSpace(text), "# EOF") != tc.wantEOF {
				t.Fatalf("# EOF marker presence wrong for %s", tc.name)
			}
			for _, want := range []string{
				`http_server_request_duration_seconds_bucket{`,
				`http_route="/items/{id}"`,
				`http_server_request_duration_seconds_count{`,
				"go_goroutines ",
				"process_resident_memory_bytes ",
			} {
				if !strings.Contains(text, want) {
					t.Fatalf("scrape lacks %q", want)
				}
			}
		})
	}
}
