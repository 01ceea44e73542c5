package gateway_test

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"

	"github.com/footingdev/footing/aigateway/providertest"
)

// points returns, for each data point of the named metric, its attributes as
// "key=value" pairs sorted and joined by commas, with its value (count for
// histograms).
func (b *bundle) points(t *testing.T, name string) map[string]float64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := b.metrics.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	key := func(s attribute.Set) string {
		var kv []string
		for it := s.Iter(); it.Next(); {
			a := it.Attribute()
			kv = append(kv, string(a.Key)+"="+a.Value.String())
		}
		sort.Strings(kv)
		return strings.Join(kv, ",")
	}
	out := map[string]float64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					out[key(p.Attributes)] += float64(p.Value)
				}
			case metricdata.Sum[float64]:
				for _, p := range d.DataPoints {
					out[key(p.Attributes)] += p.Value
				}
			case metricdata.Histogram[int64]:
				for _, p := range d.DataPoints {
					out[key(p.Attributes)] += float64(p.Count)
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					out[key(p.Attributes)] += float64(p.Count)
				}
			}
		}
	}
	return out
}

// TestMetricAttributes checks the attributes of every metric of a call, for
// calls that succeed (twice, so that attributes built once are reused) and for
// one that fails.
func TestMetricAttributes(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	for range 2 {
		b.primary.Enqueue(providertest.Reply{Steps: []providertest.Step{{Text: "hi"}}, Usage: &aiv1.Usage{InputTokens: 10, OutputTokens: 2}})
		if _, err := b.gw.Complete(as(t.Context(), "acme"), chatReq("hi")); err != nil {
			t.Fatal(err)
		}
	}
	missing := chatReq("hi")
	missing.Model = "no-such-route"
	if _, err := b.gw.Complete(as(t.Context(), "acme"), missing); err == nil {
		t.Fatal("a call to an unknown route succeeded")
	}
	const base = "gen_ai.operation.name=chat,gen_ai.provider.name=openai,gen_ai.request.model=chat,gen_ai.response.model=gpt-4o-mini"
	const failed = "error.type=not_found,gen_ai.operation.name=chat,gen_ai.provider.name=,gen_ai.request.model=_OTHER,gen_ai.response.model=_OTHER"
	const failedWithResult = "error.type=not_found,footing.result=not_found,gen_ai.operation.name=chat,gen_ai.provider.name=,gen_ai.request.model=_OTHER,gen_ai.response.model=_OTHER"
	for _, tc := range []struct {
		metric string
		want   map[string]float64
	}{
		{"gen_ai.client.operation.duration", map[string]float64{base: 2, failed: 1}},
		{"gen_ai.server.time_to_first_token", map[string]float64{base: 2}},
		{"footing.ai.requests", map[string]float64{"footing.result=ok," + base: 2, failedWithResult: 1}},
		{"gen_ai.client.token.usage", map[string]float64{base + ",gen_ai.token.type=input": 2, base + ",gen_ai.token.type=output": 2}},
		{"footing.ai.cost", map[string]float64{"footing.tenant.id=acme,gen_ai.provider.name=openai,gen_ai.response.model=gpt-4o-mini": 2 * float64(miniCost(10, 2)) / 1e9}},
	} {
		got := b.points(t, tc.metric)
		if len(got) != len(tc.want) {
			t.Errorf("%s: points %v, want %v", tc.metric, got, tc.want)
			continue
		}
		for k, v := range tc.want {
			if g, ok := got[k]; !ok || g < v-1e-12 || g > v+1e-12 {
				t.Errorf("%s{%s} = %v (present %v), want %v; all: %v", tc.metric, k, g, ok, v, got)
			}
		}
	}
}

// TestUnknownModelsShareOneLabel asks for many models no route serves: the
// model name is the caller's to choose, so each one recorded as it was would be a
// new series of every metric (the SDK's 2000 per instrument filled by one caller,
// the gateway's real routes then lost in its overflow series). They are all
// recorded as _OTHER; the caller's error still names the model.
func TestUnknownModelsShareOneLabel(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{})
	for i := range 50 {
		req := chatReq("hi")
		req.Model = "no-such-model-" + strconv.Itoa(i)
		_, err := b.gw.Complete(as(t.Context(), "acme"), req)
		if err == nil || !strings.Contains(err.Error(), req.Model) {
			t.Fatalf("%s: error %v does not name the model", req.Model, err)
		}
	}
	const other = "gen_ai.request.model=_OTHER,gen_ai.response.model=_OTHER"
	for _, name := range []string{"gen_ai.client.operation.duration", "footing.ai.requests"} {
		got := b.points(t, name)
		if len(got) != 1 {
			t.Fatalf("%s: %d series, want 1: %v", name, len(got), got)
		}
		for k, v := range got {
			if !strings.HasPrefix(k, "error.type=not_found,") || !strings.HasSuffix(k, other) || v != 50 {
				t.Errorf("%s: %s = %v, want 50 under _OTHER", name, k, v)
			}
		}
	}
}
