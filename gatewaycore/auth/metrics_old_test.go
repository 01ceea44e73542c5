package auth

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/footingdev/footing/observability/semconv"
)

// oldDecision is metrics.decision as it was before its switch (0e3046a): the
// passing decisions' prebuilt options found in a map keyed by method and result.
func oldDecision(ctx context.Context, counter metric.Int64Counter, method, result string, reason Reason) {
	passed := make(map[[2]string][]metric.AddOption, 2*len(methods))
	for _, method := range methods {
		for _, result := range []string{resultAllowed, resultPublic} {
			passed[[2]string{method, result}] = []metric.AddOption{metric.WithAttributeSet(
				attribute.NewSet(attribute.String("method", method), attribute.String(semconv.AttrResult, result)))}
		}
	}
	if reason == "" {
		if opts, ok := passed[[2]string{method, result}]; ok {
			counter.Add(ctx, 1, opts...)
			return
		}
	}
	attrs := []attribute.KeyValue{attribute.String("method", method), attribute.String(semconv.AttrResult, result)}
	if reason != "" {
		attrs = append(attrs, attribute.String(semconv.AttrReason, string(reason)))
	}
	counter.Add(ctx, 1, metric.WithAttributes(attrs...))
}

// TestDecisionMatchesOld records every method (and near misses of them) with every
// result and a few reasons through decision and through the code before its switch,
// each into its own meter provider, and compares the points: the same attribute
// sets with the same counts.
func TestDecisionMatchesOld(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	newReader := func() (*sdkmetric.ManualReader, metric.MeterProvider) {
		r := sdkmetric.NewManualReader()
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r))
		t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
		return r, mp
	}
	ourReader, ourMP := newReader()
	theirReader, theirMP := newReader()
	ours := newMetrics(ourMP)
	theirCounter, err := theirMP.Meter(instrumentationName).Int64Counter(semconv.AuthDecisions.Name,
		metric.WithUnit(semconv.AuthDecisions.Unit), metric.WithDescription(semconv.AuthDecisions.Description))
	if err != nil {
		t.Fatal(err)
	}
	ms := append(methods[:], "", "JWT", "jwt ", "apikey", "oidc", "allowed", "public")
	results := []string{resultAllowed, resultPublic, resultUnauthenticated, resultDenied, "", "Allowed", "jwt", "none"}
	reasons := []Reason{"", ReasonPolicy, ReasonUnlisted, ReasonMissing, ReasonSignature}
	for _, m := range ms {
		for _, res := range results {
			for _, reason := range reasons {
				ours.decision(ctx, m, res, reason)
				oldDecision(ctx, theirCounter, m, res, reason)
			}
		}
	}
	sets := map[attribute.Distinct]attribute.Set{}
	points := func(r *sdkmetric.ManualReader) map[attribute.Distinct]int64 {
		var rm metricdata.ResourceMetrics
		if err := r.Collect(ctx, &rm); err != nil {
			t.Fatal(err)
		}
		out := map[attribute.Distinct]int64{}
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				if m.Name != semconv.AuthDecisions.Name {
					continue
				}
				for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
					out[dp.Attributes.Equivalent()] += dp.Value
					sets[dp.Attributes.Equivalent()] = dp.Attributes
				}
			}
		}
		return out
	}
	got, want := points(ourReader), points(theirReader)
	if len(want) != len(ms)*len(results)*len(reasons) {
		t.Fatalf("the reference recorded %d attribute sets, want %d", len(want), len(ms)*len(results)*len(reasons))
	}
	if len(got) != len(want) {
		t.Fatalf("%d attribute sets, before the switch %d", len(got), len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("attributes %v: %d, before the switch %d", setSlice(sets[k]), got[k], v)
		}
	}
}

func setSlice(s attribute.Set) []attribute.KeyValue { return s.ToSlice() }
