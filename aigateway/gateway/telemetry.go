package gateway

import (
	"context"
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
	attrTenant         = semconv.AttrTenantID
	attrErrorType      = semconv.AttrErrorType
	instrumentationLib = "github.com/footingdev/footing/aigateway/gateway"
)

type options struct {
	tp trace.TracerProvider
	mp metric.MeterProvider
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

type telemetry struct {
	tracer   trace.Tracer
	tokens   metric.Int64Histogram
	duration metric.Float64Histogram
	ttfc     metric.Float64Histogram
	cost     metric.Float64Counter
	requests metric.Int64Counter
	refusals metric.Int64Counter
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

// end records a finished call: its span, its metrics and its cost.
func (t *telemetry) end(s *Stream, u *aiv1.Usage, err error) {
	ctx := s.ctx
	model := s.Model()
	base := []attribute.KeyValue{
		attribute.String(attrOperation, "chat"),
		attribute.String(attrProvider, s.provider),
		attribute.String(attrRequestModel, s.alias),
		attribute.String(attrResponseModel, model),
	}
	outcome := "ok"
	if err != nil {
		outcome = errs.From(err).Code.String()
		base = append(base, attribute.String(attrErrorType, outcome))
	}
	set := attribute.NewSet(base...)
	t.duration.Record(ctx, time.Since(s.start).Seconds(), metric.WithAttributeSet(set))
	if s.first > 0 {
		t.ttfc.Record(ctx, s.first.Seconds(), metric.WithAttributeSet(set))
	}
	t.requests.Add(ctx, 1, metric.WithAttributeSet(set), metric.WithAttributes(attribute.String(semconv.AttrResult, outcome)))
	if u != nil {
		t.tokens.Record(ctx, u.GetInputTokens(), metric.WithAttributeSet(set), metric.WithAttributes(attribute.String(attrTokenType, "input")))
		t.tokens.Record(ctx, u.GetOutputTokens(), metric.WithAttributeSet(set), metric.WithAttributes(attribute.String(attrTokenType, "output")))
		if c := u.GetCostNanosUsd(); c > 0 {
			t.cost.Add(ctx, float64(c)/1e9, metric.WithAttributes(attribute.String(attrTenant, s.tenant),
				attribute.String(attrProvider, s.provider), attribute.String(attrResponseModel, model)))
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
	s.span.SetAttributes(base[1:]...)
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
