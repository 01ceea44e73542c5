package metrics_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	otelmetric "go.opentelemetry.io/otel/metric"

	"github.com/footingdev/footing/observability/metrics"
)

func Example() {
	reg := metrics.NewRegistry()
	mp, err := metrics.NewMeterProvider(reg, nil)
	if err != nil {
		panic(err)
	}
	defer mp.Shutdown(context.Background())

	jobs, _ := mp.Meter("example").Int64Counter("footing.job.attempts", metricUnit("{attempt}"))
	jobs.Add(context.Background(), 3)

	rec := httptest.NewRecorder()
	metrics.Handler(reg).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for line := range strings.SplitSeq(rec.Body.String(), "\n") {
		if strings.HasPrefix(line, "footing_job_attempts_total{") {
			fmt.Println(line[:strings.IndexByte(line, '{')], line[strings.LastIndexByte(line, ' ')+1:])
		}
	}
	// Output: footing_job_attempts_total 3
}

func metricUnit(u string) otelmetric.InstrumentOption { return otelmetric.WithUnit(u) }
