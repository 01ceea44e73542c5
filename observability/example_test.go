package observability_test

import (
	"context"
	"fmt"
	"os"
	"slices"

	"go.opentelemetry.io/otel"

	"github.com/footingdev/footing/observability"
)

func ExampleSetup() {
	// In main; the configuration comes from OTEL_* and LOG_* variables.
	shutdown, err := observability.Setup(context.Background(), observability.Config{
		ServiceName: "adr-server",
		LogWriter:   os.Stdout,
		Getenv:      func(string) string { return "" }, // here: an empty environment
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = shutdown(context.Background()) }()

	// Serve observability.MetricsHandler() at /metrics; log through slog.
	fields := otel.GetTextMapPropagator().Fields()
	slices.Sort(fields)
	fmt.Println(fields)
	// Output: [baggage traceparent tracestate]
}

func ExampleConfig_Validate() {
	env := map[string]string{"OTEL_TRACES_SAMPLER": "sometimes", "LOG_LEVEL": "loud"}
	err := observability.Config{Getenv: func(k string) string { return env[k] }}.Validate()
	fmt.Println(err)
	// Output: invalid_argument: invalid observability configuration: OTEL_TRACES_SAMPLER: must be one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio; not "sometimes"; LOG_LEVEL: must be debug, info, warn or error, not "loud"
}
