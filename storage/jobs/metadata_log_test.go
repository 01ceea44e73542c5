package jobs

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/riverqueue/river/rivertype"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// TestMalformedMetadataLogsNoData: job metadata that does not decode is logged by what
// is wrong and where, never with the decoder's message, which can quote the metadata
// (a number, a token, a value of the wrong type) — and metadata can hold secrets.
func TestMalformedMetadataLogsNoData(t *testing.T) {
	t.Parallel()
	const secret = "4111111111111111"
	for _, tc := range []struct {
		name, md string
	}{
		{"truncated", `{"footing":{"principal":{"subject":"` + secret},
		{"bad character", `{"footing":{"request_id":` + secret + `x}}`},
		{"number where a string goes", `{"footing":{"request_id":` + secret + `}}`},
		{"stamp of the wrong type", `{"footing":` + secret + `}`},
		{"metadata not an object", `[` + secret + `]`},
		{"principal field of the wrong type", `{"footing":{"principal":{"subject":` + secret + `}}}`},
		{"principal list of the wrong type", `{"footing":{"principal":{"roles":"sk-` + secret + `"}}}`},
		{"principal unknown field", `{"footing":{"principal":{"sk-` + secret + `":1}}}`},
		{"principal not an object", `{"footing":{"principal":"sk-` + secret + `"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			in, err := newInstruments(metricnoop.NewMeterProvider().Meter("test"))
			if err != nil {
				t.Fatal(err)
			}
			w := &workerMiddleware{tracer: tracenoop.NewTracerProvider().Tracer("test"), in: in,
				logger: slog.New(slog.NewTextHandler(&logs, nil))}
			job := &rivertype.JobRow{ID: 1, Kind: "k", Queue: "q", Metadata: []byte(tc.md)}
			ran := false
			if err := w.Work(context.Background(), job, func(context.Context) error { ran = true; return nil }); err != nil || !ran {
				t.Fatalf("Work: %v, ran %v; want the job to run without a Principal", err, ran)
			}
			out := logs.String()
			if !strings.Contains(out, "cannot read job metadata") || !strings.Contains(out, "in job metadata: ") {
				t.Fatalf("malformed metadata not logged: %s", out)
			}
			if strings.Contains(out, secret) {
				t.Fatalf("log quotes the job's metadata: %s", out)
			}
		})
	}
}
