package tracing_test

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/observability/tracing"
)

func Example() {
	rec := tracetest.NewSpanRecorder()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))

	_, span := tracing.Start(context.Background(), "adr.load", trace.SpanKindInternal, attribute.String("adr.id", "42"))
	tracing.RecordError(span, errs.NotFound("ADR_NOT_FOUND", "no such ADR"))
	span.End()

	s := rec.Ended()[0]
	fmt.Println(s.Name(), s.Status().Code, s.Status().Description)
	// Output: adr.load Error no such ADR
}
