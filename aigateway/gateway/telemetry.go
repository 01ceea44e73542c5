package gateway

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	"github.com/footingdev/footing/observability/semconv"
)

// OpenTelemetry GenAI semantic-convention attribute keys.
const (
	attrOperation      = "gen_ai.operation.name"
	attrProvider       = "gen_ai.provider.name"
	attrRequestModel   = "gen_ai.request.model"
	attrResponseModel  = "gen_ai.response.model"
	attrResponseID     = "gen_ai.response.id"
	attrFinishReasons  = "gen_ai.response.finish_reasons"
	attrInputTokens    = "gen_ai.usage.input_tokens"
	attrOutputTokens   = "gen_ai.usage.output_tokens"
	attrTokenType      = "gen_ai.token.type"
	attrCacheHit       = "footing.ai.cache_hit"
	attrCostNanos      = "footing.ai.cost_nanos_usd"
	eventSettleFailed  = "footing.ai.settle_failed"
	attrTenant         = semconv.AttrTenantID
	attrErrorType      = semconv.AttrErrorType
	instrumentationLib = "github.com/footingdev/footing/aigateway/gateway"

	// otherModel is the request model recorded for a model no route serves, as
	// OpenTelemetry records values outside a known set.
	otherModel = "_OTHER"
)

type options struct {
	tp  trace.TracerProvider
	mp  metric.MeterProvider
	log *slog.Logger
}

// An Option configures a [Gateway].
type Option func(*options)

// WithTracerProvider sets the tracer provider (default the global one); nil is
// ignored.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) {
		if tp != nil {
			o.tp = tp
		}
	}
}

// WithMeterProvider sets the meter provider (default the global one); nil is
// ignored.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(o *options) {
		if mp != nil {
			o.mp = mp
		}
	}
}

// WithLogger sets the logger told about a panic in a call — in the router or a
// provider, starting the call or reading its stream — with the error id the caller
// got (an Internal error), the panic value and the stack (default [slog.Default]
// when New is called); nil is ignored.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.log = l
		}
	}
}

type telemetry struct {
	tracer   trace.Tracer
	tokens   metric.Int64Histogram
	duration metric.Float64Histogram
	ttfc     metric.Float64Histogram
	cost     metric.Float64Counter
	requests metric.Int64Counter
	refusals metric.Int64Counter

	attrs, costs   sync.Map // callKey → *callAttrs, costKey → metric.MeasurementOption
	nattrs, ncosts atomic.Int64
}

func newTelemetry(o options) (*telemetry, error) {
	if o.tp == nil {
		o.tp = otel.GetTracerProvider()
	}
	if o.mp == nil {
		o.mp = otel.GetMeterProvider()
	}
	m := o.mp.Meter(instrumentationLib)
	t := &telemetry{tracer: o.tp.Tracer(instrumentationLib)}
	var err, e error
	t.tokens, e = m.Int64Histogram(semconv.GenAIClientTokenUsage.Name, metric.WithUnit(semconv.GenAIClientTokenUsage.Unit),
		metric.WithDescription(semconv.GenAIClientTokenUsage.Description),
		metric.WithExplicitBucketBoundaries(1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864))
	err = firstErr(err, e)
	t.duration, e = m.Float64Histogram(semconv.GenAIClientOperationDur.Name, metric.WithUnit(semconv.GenAIClientOperationDur.Unit),
		metric.WithDescription(semconv.GenAIClientOperationDur.Description),
		metric.WithExplicitBucketBoundaries(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92))
	err = firstErr(err, e)
	t.ttfc, e = m.Float64Histogram(semconv.GenAIServerTimeToFirst.Name, metric.WithUnit(semconv.GenAIServerTimeToFirst.Unit),
		metric.WithDescription(semconv.GenAIServerTimeToFirst.Description),
		metric.WithExplicitBucketBoundaries(0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10))
	err = firstErr(err, e)
	t.cost, e = m.Float64Counter(semconv.AICost.Name, metric.WithUnit(semconv.AICost.Unit), metric.WithDescription(semconv.AICost.Description))
	err = firstErr(err, e)
	t.requests, e = m.Int64Counter(semconv.AIRequests.Name, metric.WithUnit(semconv.AIRequests.Unit), metric.WithDescription(semconv.AIRequests.Description))
	err = firstErr(err, e)
	t.refusals, e = m.Int64Counter(semconv.AIRefusals.Name, metric.WithUnit(semconv.AIRefusals.Unit), metric.WithDescription(semconv.AIRefusals.Description))
	err = firstErr(err, e)
	if err != nil {
		return nil, errs.Internal(err)
	}
	return t, nil
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func (t *telemetry) refused(ctx context.Context, reason string) {
	t.refusals.Add(ctx, 1, metric.WithAttributes(attribute.String(semconv.AttrReason, reason)))
}

// callAttrs are the attributes a finished call's metrics carry, built once per
// combination and kept (see [telemetry.attrsFor]).
type callAttrs struct {
	base                []attribute.KeyValue // the span's share: provider, request and response model[, error type]
	all, requests       metric.MeasurementOption
	tokensIn, tokensOut metric.MeasurementOption
}

type callKey struct{ provider, alias, model, outcome string }

type costKey struct{ tenant, provider, model string }

// maxCachedAttrs bounds each attribute cache; past it, sets are built per call.
const maxCachedAttrs = 4096

// attrsFor returns the metric attributes of a call, building the sorted sets
// once per combination instead of on every call.
func (t *telemetry) attrsFor(k callKey) *callAttrs {
	if a, ok := t.attrs.Load(k); ok {
		return a.(*callAttrs)
	}
	base := []attribute.KeyValue{
		attribute.String(attrOperation, "chat"),
		attribute.String(attrProvider, k.provider),
		attribute.String(attrRequestModel, k.alias),
		attribute.String(attrResponseModel, k.model),
	}
	if k.outcome != "ok" {
		base = append(base, attribute.String(attrErrorType, k.outcome))
	}
	with := func(kv attribute.KeyValue) metric.MeasurementOption {
		return metric.WithAttributeSet(attribute.NewSet(append(slices.Clone(base), kv)...))
	}
	a := &callAttrs{
		base:      base[1:],
		all:       metric.WithAttributeSet(attribute.NewSet(base...)),
		requests:  with(attribute.String(semconv.AttrResult, k.outcome)),
		tokensIn:  with(attribute.String(attrTokenType, "input")),
		tokensOut: with(attribute.String(attrTokenType, "output")),
	}
	if t.nattrs.Load() < maxCachedAttrs {
		if prev, loaded := t.attrs.LoadOrStore(k, a); loaded {
			return prev.(*callAttrs)
		}
		t.nattrs.Add(1)
	}
	return a
}

// costAttrs returns the attributes of the cost counter, built once per tenant,
// provider and model.
func (t *telemetry) costAttrs(k costKey) metric.MeasurementOption {
	if o, ok := t.costs.Load(k); ok {
		return o.(metric.MeasurementOption)
	}
	o := metric.WithAttributeSet(attribute.NewSet(attribute.String(attrTenant, k.tenant),
		attribute.String(attrProvider, k.provider), attribute.String(attrResponseModel, k.model)))
	if t.ncosts.Load() < maxCachedAttrs {
		if prev, loaded := t.costs.LoadOrStore(k, o); loaded {
			return prev.(metric.MeasurementOption)
		}
		t.ncosts.Add(1)
	}
	return o
}

// end records a finished call: its span, its metrics and its cost.
func (t *telemetry) end(s *Stream, u *aiv1.Usage, err error) {
	ctx := s.ctx
	model := s.Model()
	outcome := "ok"
	if err != nil {
		outcome = errs.From(err).Code.String()
	}
	a := t.attrsFor(callKey{provider: s.provider, alias: s.alias, model: model, outcome: outcome})
	t.duration.Record(ctx, time.Since(s.start).Seconds(), a.all)
	if s.first > 0 {
		t.ttfc.Record(ctx, s.first.Seconds(), a.all)
	}
	t.requests.Add(ctx, 1, a.requests)
	// A cached answer carries the original answer's token counts (at no cost) for
	// the caller, but it used no tokens: the token metric counts only upstream use.
	if u != nil && !s.cached {
		t.tokens.Record(ctx, u.GetInputTokens(), a.tokensIn)
		t.tokens.Record(ctx, u.GetOutputTokens(), a.tokensOut)
		if c := u.GetCostNanosUsd(); c > 0 {
			t.cost.Add(ctx, float64(c)/1e9, t.costAttrs(costKey{tenant: s.tenant, provider: s.provider, model: model}))
		}
	}
	if !s.span.IsRecording() {
		s.span.End()
		return
	}
	finishes := make([]string, 0, len(s.finishes))
	for _, f := range s.finishes {
		finishes = append(finishes, FinishName(f))
	}
	s.span.SetAttributes(a.base...)
	s.span.SetAttributes(attribute.StringSlice(attrFinishReasons, finishes), attribute.String(attrResponseID, s.ID()))
	if u != nil {
		s.span.SetAttributes(attribute.Int64(attrInputTokens, u.GetInputTokens()), attribute.Int64(attrOutputTokens, u.GetOutputTokens()),
			attribute.Int64(attrCostNanos, u.GetCostNanosUsd()))
	}
	if err != nil {
		d := errs.From(err)
		s.span.SetStatus(codes.Error, d.Reason)
		s.span.SetAttributes(attribute.String(attrErrorType, d.Code.String()))
	}
	s.span.End()
}
