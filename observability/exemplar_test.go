package observability_test

import (
	"context"
	"io"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/observability"
)

// TestExemplarFilter records a histogram under a sampled span and looks for an
// exemplar in what the registry gathers: there by default (trace_based), not
// with OTEL_METRICS_EXEMPLAR_FILTER=always_off.
func TestExemplarFilter(t *testing.T) {
	t.Parallel()
	sampled := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled,
	}))
	for _, tc := range []struct {
		filter string
		want   bool
	}{{"", true}, {"trace_based", true}, {"always_off", false}} {
		t.Run(tc.filter, func(t *testing.T) {
			t.Parallel()
			reg := prometheus.NewRegistry()
			tel, err := observability.New(context.Background(), observability.Config{
				Getenv:    envOf(map[string]string{"OTEL_METRICS_EXEMPLAR_FILTER": tc.filter, "OTEL_SERVICE_NAME": "x"}),
				Registry:  reg,
				LogWriter: io.Discard,
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
			h, err := tel.MeterProvider().Meter("test").Float64Histogram("work.duration")
			if err != nil {
				t.Fatal(err)
			}
			h.Record(sampled, 0.5)
			fams, err := reg.Gather()
			if err != nil {
				t.Fatal(err)
			}
			got, found := false, false
			for _, f := range fams {
				if f.GetName() != "work_duration" {
					continue
				}
				found = true
				for _, m := range f.GetMetric() {
					for _, b := range m.GetHistogram().GetBucket() {
						got = got || b.GetExemplar() != nil
					}
				}
			}
			if !found {
				t.Fatal("histogram not gathered")
			}
			if got != tc.want {
				t.Fatalf("exemplar present: %v, want %v", got, tc.want)
			}
		})
	}
}
