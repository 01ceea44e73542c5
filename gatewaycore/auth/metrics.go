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
	passed [len(methods)][2][]metric.AddOption // [methodIndex][passedIndex]
}

// methods are the values of the method attribute.
var methods = [...]string{"api_key", "jwt", "session", "system", "bearer", "none"}

// methodIndex returns the index of method in methods, or -1: a switch on the string,
// cheaper than hashing it (with the result) as a map key on every request.
func methodIndex(method string) int {
	switch method {
	case "api_key":
		return 0
	case "jwt":
		return 1
	case "session":
		return 2
	case "system":
		return 3
	case "bearer":
		return 4
	case "none":
		return 5
	}
	return -1
}

// passedResults are the results of the decisions that let a request through.
var passedResults = [2]string{resultAllowed, resultPublic}

// passedIndex returns the index of result in passedResults, or -1.
func passedIndex(result string) int {
	switch result {
	case resultAllowed:
		return 0
	case resultPublic:
		return 1
	}
	return -1
}

func newMetrics(mp metric.MeterProvider) *metrics {
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(instrumentationName)
	// Instrument creation only fails on invalid names, which these constants are not;
	// a failed instrument is a no-op one, so errors are deliberately dropped.
	d, _ := m.Int64Counter(semconv.AuthDecisions.Name, metric.WithUnit(semconv.AuthDecisions.Unit), metric.WithDescription(semconv.AuthDecisions.Description))
	f, _ := m.Int64Counter(semconv.JWKSFetches.Name, metric.WithUnit(semconv.JWKSFetches.Unit), metric.WithDescription(semconv.JWKSFetches.Description))
	ms := &metrics{decisions: d, fetches: f}
	for i, method := range methods {
		for j, result := range passedResults {
			ms.passed[i][j] = []metric.AddOption{metric.WithAttributeSet(
				attribute.NewSet(attribute.String("method", method), attribute.String(semconv.AttrResult, result)))}
		}
	}
	return ms
}

func (m *metrics) decision(ctx context.Context, method, result string, reason Reason) {
	if reason == "" {
		if i, j := methodIndex(method), passedIndex(result); i >= 0 && j >= 0 {
			m.decisions.Add(ctx, 1, m.passed[i][j]...)
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
