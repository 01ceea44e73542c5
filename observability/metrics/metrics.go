package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/otlptranslator"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/footingdev/footing/contracts/errs"
)

// NewRegistry returns a Prometheus registry holding the Go runtime collector and
// the process collector (CPU, memory, open file descriptors).
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return reg
}

// NewMeterProvider returns an OpenTelemetry MeterProvider whose metrics are
// collected by reg on every scrape, with res as their resource (exported as the
// target_info metric). Shut the provider down when the service stops. Extra
// options, such as views, are passed on to the SDK.
//
// A registry serves one live provider: a second, while the first is not shut
// down, would export target_info and every same-named metric twice and fail
// each scrape, so it is refused here. Once the first is shut down, a new one
// takes its place.
func NewMeterProvider(reg prometheus.Registerer, res *resource.Resource, opts ...metric.Option) (*metric.MeterProvider, error) {
	claim, err := claimRegistry(reg)
	if err != nil {
		return nil, err
	}
	exp, err := otelprom.New(
		otelprom.WithRegisterer(reg),
		otelprom.WithTranslationStrategy(otlptranslator.UnderscoreEscapingWithSuffixes),
	)
	if err != nil {
		reg.Unregister(claim)
		return nil, errs.Internal(err)
	}
	claim.mu.Lock()
	claim.reader = exp
	claim.mu.Unlock()
	if res == nil {
		res = resource.Default()
	}
	all := append([]metric.Option{metric.WithReader(exp), metric.WithResource(res)}, opts...)
	return metric.NewMeterProvider(all...), nil
}

// MaxConcurrentScrapes is how many scrapes [Handler] serves at once. Each gathers
// every metric; more at the same time answer 503 Service Unavailable without
// gathering, so a burst of scrapers cannot pile up gathers. Prometheus scrapes a
// target once per interval per server, so a few suffice.
const MaxConcurrentScrapes = 4

// Handler serves the metrics gathered by g in the Prometheus text format, or in
// OpenMetrics when the scraper's Accept header asks for it. Errors gathering
// one metric do not fail the scrape; they are counted in
// promhttp_metric_handler_errors_total. At most [MaxConcurrentScrapes] scrapes are
// served at once; others answer 503.
func Handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{
		EnableOpenMetrics:   true,
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: MaxConcurrentScrapes,
	})
}
