package metrics

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// claimDesc names the claim a provider's exporter holds on its registry. It
// is described, never collected: no scrape shows it.
var claimDesc = prometheus.NewDesc("footing_opentelemetry_exporter_claim",
	"Held by the live OpenTelemetry MeterProvider exporting into this registry; never collected.", nil, nil)

// registryClaim is registered beside a provider's exporter. The exporter's own
// collector is unchecked (it describes nothing), so the registry cannot tell
// two of them apart; the claim is a checked collector with one fixed
// descriptor, which the registry refuses twice.
type registryClaim struct {
	mu     sync.Mutex
	reader metric.Reader // the exporter; nil while it is being made
}

func (c *registryClaim) Describe(ch chan<- *prometheus.Desc) { ch <- claimDesc }
func (*registryClaim) Collect(chan<- prometheus.Metric)      {}

// released reports whether the provider holding c has been shut down (or never
// got its exporter).
func (c *registryClaim) released() bool {
	c.mu.Lock()
	r := c.reader
	c.mu.Unlock()
	if r == nil {
		return false // being made, or failed and already unregistered
	}
	var rm metricdata.ResourceMetrics
	return errors.Is(r.Collect(context.Background(), &rm), metric.ErrReaderShutdown)
}

// claimsMu serializes claims, so that two providers made at once on one
// registry cannot both replace a released claim.
var claimsMu sync.Mutex

// claimRegistry registers a new claim on reg, replacing one whose provider has
// been shut down, and refuses while another provider is live.
func claimRegistry(reg prometheus.Registerer) (*registryClaim, error) {
	claimsMu.Lock()
	defer claimsMu.Unlock()
	c := &registryClaim{}
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		old, ok := are.ExistingCollector.(*registryClaim)
		if !ok || !old.released() {
			return nil, errors.New("observability/metrics: this registry already serves a live MeterProvider; " +
				"shut it down before making another on the same registry, or give each its own registry")
		}
		reg.Unregister(old)
		err = reg.Register(c)
	}
	if err != nil {
		return nil, fmt.Errorf("observability/metrics: registering the exporter: %w", err)
	}
	return c, nil
}
