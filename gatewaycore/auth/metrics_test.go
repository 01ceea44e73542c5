package auth_test

import (
	"net/http"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/footingdev/footing/gatewaycore/auth"
	"github.com/footingdev/footing/gatewaycore/auth/authtest"
	"github.com/footingdev/footing/observability/semconv"
)

// TestMetrics: decisions carry method, result and (server-side only) reason; JWKS
// fetches carry issuer and outcome.
func TestMetrics(t *testing.T) {
	t.Parallel()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(t.Context()) })
	a, b := setup(t, func(c *auth.Config) { c.MeterProvider = mp })
	policy := harnessPolicy(t, nil)
	mw := a.Middleware(policy)(http.NotFoundHandler())
	serve(mw, helloPath, bearer(b.iss.Mint(nil)))
	serve(mw, helloPath, bearer(b.iss.Mint(authtest.Claims{"aud": "x"})))
	serve(mw, "/unlisted", http.Header{})

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(t.Context(), &rm); err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			sum, ok := m.Data.(metricdata.Sum[int64])
			if !ok {
				continue
			}
			for _, dp := range sum.DataPoints {
				got[m.Name+" "+attrString(dp.Attributes)] += dp.Value
			}
		}
	}
	for _, want := range []string{
		semconv.AuthDecisions.Name + " footing.result=allowed method=jwt",
		semconv.AuthDecisions.Name + " footing.error.reason=audience footing.result=unauthenticated method=bearer",
		semconv.AuthDecisions.Name + " footing.error.reason=unlisted_procedure footing.result=denied method=none",
		semconv.JWKSFetches.Name + " issuer=authtest outcome=success",
	} {
		if got[want] != 1 {
			t.Errorf("%s = %d, want 1; all: %v", want, got[want], got)
		}
	}
}

func attrString(set attribute.Set) string {
	var out string
	for i, kv := range set.ToSlice() {
		if i > 0 {
			out += " "
		}
		out += string(kv.Key) + "=" + kv.Value.String()
	}
	return out
}
