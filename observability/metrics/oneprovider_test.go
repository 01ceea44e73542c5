package metrics_test

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/footingdev/footing/observability/metrics"
)

// addOne adds 1 to a counter of mp, so that a scrape has a metric of its own.
func addOne(t *testing.T, mp *sdkmetric.MeterProvider) {
	t.Helper()
	c, err := mp.Meter("oneprovider").Int64Counter("footing.test.once")
	if err != nil {
		t.Fatal(err)
	}
	c.Add(context.Background(), 1)
}

// Two live MeterProviders exporting into one registry would each emit
// target_info and every same-named metric: every scrape after that carries
// "collected before with the same name and label values" errors, and the
// cause is far from the symptom. The second is refused when it is made; once
// the first is shut down, a new one may take its place (a service that
// re-initializes its telemetry, or tests that share a registry).
func TestOneLiveProviderPerRegistry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	reg := metrics.NewRegistry()
	first, err := metrics.NewMeterProvider(reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	addOne(t, first)

	second, err := metrics.NewMeterProvider(reg, nil)
	if err == nil {
		_ = second.Shutdown(ctx)
		if _, gerr := reg.Gather(); gerr != nil {
			t.Fatalf("a second live provider on one registry was accepted, and the scrape fails: %v", gerr)
		}
		t.Fatal("a second live provider on one registry was accepted")
	}
	if !strings.Contains(err.Error(), "shut") {
		t.Fatalf("the refusal does not say what to do: %v", err)
	}
	if _, gerr := reg.Gather(); gerr != nil {
		t.Fatalf("the refused provider left the registry broken: %v", gerr)
	}

	if err := first.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	third, err := metrics.NewMeterProvider(reg, nil)
	if err != nil {
		t.Fatalf("after the first was shut down, a new provider was refused: %v", err)
	}
	defer func() { _ = third.Shutdown(ctx) }()
	addOne(t, third)
	fams, err := reg.Gather()
	if err != nil {
		t.Fatalf("scrape after replacing the provider: %v", err)
	}
	var seen bool
	for _, f := range fams {
		if f.GetName() == "footing_test_once_total" {
			seen = true
			if got := f.GetMetric()[0].GetCounter().GetValue(); got != 1 {
				t.Fatalf("footing_test_once_total = %v, want the new provider's 1", got)
			}
		}
	}
	if !seen {
		t.Fatal("the new provider's metric is not scraped")
	}
}

// A registerer that is not a *prometheus.Registry (a prefixing wrapper) is
// guarded the same way.
func TestOneLiveProviderPerWrappedRegisterer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	reg := prometheus.NewRegistry()
	wrapped := prometheus.WrapRegistererWith(prometheus.Labels{"shard": "a"}, reg)
	first, err := metrics.NewMeterProvider(wrapped, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = first.Shutdown(ctx) }()
	if second, err := metrics.NewMeterProvider(wrapped, nil); err == nil {
		_ = second.Shutdown(ctx)
		t.Fatal("a second live provider on one registerer was accepted")
	}
}
