package jobs

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/riverqueue/river/rivertype"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
)

// TestJobRunsOnlyWithItsOwnIdentity: the worker middleware gives a job the Principal and
// request id of its stamp and nothing else — not those of the context River works it in
// (derived from whatever context the River client was started with, also through
// Client.River()) — whether the job has no stamp, a stamp without a Principal, metadata
// that does not decode, or a stamp of its own.
func TestJobRunsOnlyWithItsOwnIdentity(t *testing.T) {
	t.Parallel()
	in, err := newInstruments(metricnoop.NewMeterProvider().Meter("test"))
	if err != nil {
		t.Fatal(err)
	}
	w := &workerMiddleware{tracer: tracenoop.NewTracerProvider().Tracer("test"), in: in,
		logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	workCtx := identity.WithRequestMetadata(
		identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "boot", TenantId: "9b2e3f40-7c1d-4a5e-8f60-123456789abc"}),
		&commonv1.RequestMetadata{RequestId: "boot-1"})
	for _, tc := range []struct {
		name, md, wantTenant, wantRequest string
	}{
		{"no metadata", ``, "", ""},
		{"no stamp", `{"other":1}`, "", ""},
		{"stamp without a principal", `{"footing":{}}`, "", ""},
		{"metadata that does not decode", `{"footing":{"principal":"x"}}`, "", ""},
		{"its own stamp", `{"footing":{"principal":{"subject":"s","tenantId":"1f0e6a52-0d6b-4c1e-9a8e-2b7c4d5e6f70"},"request_id":"req-7"}}`,
			"1f0e6a52-0d6b-4c1e-9a8e-2b7c4d5e6f70", "req-7"},
	} {
		job := &rivertype.JobRow{ID: 1, Kind: "k", Queue: "q", Metadata: []byte(tc.md)}
		var tenant, request string
		if err := w.Work(workCtx, job, func(ctx context.Context) error {
			tenant, _ = identity.TenantID(ctx)
			request = identity.RequestID(ctx)
			return nil
		}); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if tenant != tc.wantTenant || request != tc.wantRequest {
			t.Errorf("%s: job ran as tenant %q with request id %q; want %q and %q", tc.name, tenant, request, tc.wantTenant, tc.wantRequest)
		}
	}
}
