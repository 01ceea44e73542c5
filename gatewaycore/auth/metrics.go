package auth

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/footingdev/footing/observability/semconv"
)

const instrumentationName = "github.com/footingdev/footing/gatewaycore/auth"

// Decision results recorded on footing.auth.decisions.
const (
	resultAllowed         = "allowed"
	resultPublic          = "public"
	resultUnauthenticated = "unauthenticated"
	resultDenied          = "denied"
)

type metrics struct {
	decisions metric.Int64Counter
	fetches   metric.Int64Counter
	// passed holds the attribute options of the decisions that let a request through
	// (allowed or public, no reason) by method, built once: they are recorded on
	// every request.
	passed map[[2]string][]metric.AddOption
}

// methods are the values of the method attribute.
var methods = []string{"api_key", "jwt", "session", "system", "bearer", "none"}

func newMetrics(mp metric.MeterProvider) *metrics {
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(instrumentationName)
	// Instrument creation only fails on invalid names, which these constants are not;
	// a failed instrument is a no-op one, so errors are deliberately dropped.
	d, _ := m.Int64Counter(semconv.AuthDecisions.Name, metric.WithUnit(semconv.AuthDecisions.Unit), metric.WithDescription(semconv.AuthDecisions.Description))
	f, _ := m.Int64Counter(semconv.JWKSFetches.Name, metric.WithUnit(semconv.JWKSFetches.Unit), metric.WithDescription(semconv.JWKSFetches.Description))
	passed := make(map[[2]string][]metric.AddOption, 2*len(methods))
	for _, method := range methods {
		for _, result := range []string{resultAllowed, resultPublic} {
			passed[[2]string{method, result}] = []metric.AddOption{metric.WithAttributeSet(
				attribute.NewSet(attribute.String("method", method), attribute.String(semconv.AttrResult, result)))}
		}
	}
	return &metrics{decisions: d, fetches: f, passed: passed}
}

func (m *metrics) decision(ctx context.Context, method, result string, reason Reason) {
	if reason == "" {
		if opts, ok := m.passed[[2]string{method, result}]; ok {
			m.decisions.Add(ctx, 1, opts...)
			return
		}
	}
	attrs := []attribute.KeyValue{attribute.String("method", method), attribute.String(semconv.AttrResult, result)}
	if reason != "" {
		attrs = append(attrs, attribute.String(semconv.AttrReason, string(reason)))
	}
	m.decisions.Add(ctx, 1, metric.WithAttributes(attrs...))
}

func (m *metrics) fetch(issuer string, err error) {
	outcome := "success"
	if err != nil {
		outcome = "error"
	}
	m.fetches.Add(context.Background(), 1, metric.WithAttributes(attribute.String("issuer", issuer), attribute.String("outcome", outcome)))
}
