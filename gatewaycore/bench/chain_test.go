package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/footingdev/footing/gatewaycore/ratelimit"
)

// TestFullChain sends requests through the whole edge and checks each step did its part.
func TestFullChain(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	f := fullChain(t, ratelimit.Limit{Rate: 2, Period: time.Hour}, &logs)

	do := func(token string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		f.handler.ServeHTTP(rec, newCheck(token))
		return rec
	}
	ok := do(f.token)
	if ok.Code != http.StatusOK || !strings.Contains(ok.Body.String(), "SERVING") {
		t.Fatalf("authorized call: %d %s", ok.Code, ok.Body.String())
	}
	h := ok.Header()
	// RateLimit headers go on refusals only (ratelimit's default).
	if h.Get("X-Request-Id") == "" || h.Get("Access-Control-Allow-Origin") != origin || h.Get("RateLimit") != "" {
		t.Fatalf("response headers: %v", h)
	}
	if anon := do(""); anon.Code != http.StatusUnauthorized {
		t.Fatalf("anonymous call: %d", anon.Code)
	}
	_ = do(f.token)
	limited := do(f.token)
	if limited.Code != http.StatusTooManyRequests || limited.Header().Get("Retry-After") != "1800" || limited.Header().Get("RateLimit") != `"health";r=0;t=1800` {
		t.Fatalf("third call: %d %v", limited.Code, limited.Header())
	}
	var body struct {
		Code string `json:"code"`
	}
	if err := json.Unmarshal(limited.Body.Bytes(), &body); err != nil || body.Code != "resource_exhausted" {
		t.Fatalf("refusal body %s: %v", limited.Body.String(), err)
	}
	if f.recorder.n != 4 {
		t.Fatalf("%d spans ended, want 4", f.recorder.n)
	}
	var rm metricdata.ResourceMetrics
	if err := f.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			names[m.Name] = true
		}
	}
	if !names["http.server.request.duration"] {
		t.Fatalf("metrics recorded: %v", names)
	}
	if n := strings.Count(logs.String(), "\n"); n != 4 || !strings.Contains(logs.String(), `"request_id":"`+h.Get("X-Request-Id")+`"`) {
		t.Fatalf("access log (%d lines): %s", n, logs.String())
	}
	if strings.Contains(logs.String(), f.token) {
		t.Fatal("the bearer token reached the access log")
	}
}
