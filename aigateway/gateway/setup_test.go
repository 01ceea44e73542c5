package gateway_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"

	"github.com/footingdev/footing/aigateway/gateway"
	"github.com/footingdev/footing/aigateway/provider/openai"
	"github.com/footingdev/footing/aigateway/providertest"
	"github.com/footingdev/footing/aigateway/quota"
	"github.com/footingdev/footing/aigateway/respcache"
	"github.com/footingdev/footing/aigateway/router"
)

type bundle struct {
	gw      *gateway.Gateway
	primary *providertest.Fake
	backup  *providertest.Fake
	spans   *tracetest.SpanRecorder
	metrics *metric.ManualReader
}

type setupOpts struct {
	limits quota.Config
	cache  bool
	clock  func() time.Time // the quota clock; nil is time.Now
	store  quota.Store      // the quota store; nil is a new MemoryStore
	// noStreamUsage configures the primary as a server that is not asked for
	// stream usage (and so reports none).
	noStreamUsage bool
}

// setup starts two fake OpenAI servers behind the route "chat" (primary first,
// both serving gpt-4o-mini) and a gateway with telemetry recorded.
func setup(t *testing.T, o setupOpts) *bundle {
	t.Helper()
	b := &bundle{primary: providertest.NewOpenAI(t), backup: providertest.NewOpenAI(t), spans: tracetest.NewSpanRecorder(), metrics: metric.NewManualReader()}
	pa, err := openai.New(openai.Config{Name: "openai", BaseURL: b.primary.BaseURL(), APIKey: b.primary.APIKey, NoStreamUsage: o.noStreamUsage})
	if err != nil {
		t.Fatal(err)
	}
	pb, _ := openai.New(openai.Config{Name: "openai", BaseURL: b.backup.BaseURL(), APIKey: b.backup.APIKey})
	r, err := router.New(router.Config{
		Routes: []router.Route{{Alias: "chat", Targets: []router.Target{
			{Name: "primary", Provider: pa, Model: "gpt-4o-mini"},
			{Name: "backup", Provider: pb, Model: "gpt-4o-mini", Priority: 1},
		}}},
		BackoffBase: time.Millisecond, BackoffMax: 2 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := gateway.Config{Router: r}
	store := o.store
	if store == nil {
		store = quota.NewMemoryStore(nil)
	}
	cfg.Limiter, err = quota.New(store, o.limits, quota.WithClock(o.clock))
	if err != nil {
		t.Fatal(err)
	}
	if o.cache {
		cfg.Cache = respcache.New(respcache.NewMemoryStore(0, nil), respcache.Config{})
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(b.spans))
	mp := metric.NewMeterProvider(metric.WithReader(b.metrics))
	t.Cleanup(func() {
		tp.Shutdown(context.Background())
		mp.Shutdown(context.Background())
	})
	b.gw, err = gateway.New(cfg, gateway.WithTracerProvider(tp), gateway.WithMeterProvider(mp))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func as(ctx context.Context, tenant string) context.Context {
	return identity.WithPrincipal(ctx, &commonv1.Principal{TenantId: tenant, Subject: "user-1"})
}

func chatReq(text string) *aiv1.ChatRequest {
	return &aiv1.ChatRequest{Model: "chat", MaxTokens: new(int32(100)), Messages: []*aiv1.Message{{Role: aiv1.Role_ROLE_USER, Content: []*aiv1.ContentPart{{Part: &aiv1.ContentPart_Text{Text: text}}}}}}
}

func drain(s *gateway.Stream) (string, *aiv1.ChatChunk, error) {
	var b strings.Builder
	var last *aiv1.ChatChunk
	for {
		c, err := s.Next()
		if errors.Is(err, io.EOF) {
			return b.String(), last, nil
		}
		if err != nil {
			return b.String(), last, err
		}
		b.WriteString(c.GetDeltaText())
		last = c
	}
}

// sum returns the sum of a metric's data points whose attributes include attrs.
func (b *bundle) sum(t *testing.T, name string) float64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := b.metrics.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	var total float64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			switch d := m.Data.(type) {
			case metricdata.Sum[float64]:
				for _, p := range d.DataPoints {
					total += p.Value
				}
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					total += float64(p.Value)
				}
			case metricdata.Histogram[int64]:
				for _, p := range d.DataPoints {
					total += float64(p.Sum)
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					total += float64(p.Count)
				}
			}
		}
	}
	return total
}
