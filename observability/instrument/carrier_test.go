package instrument

import (
	"net/http"
	"testing"

	"go.opentelemetry.io/otel/propagation"
)

// TestHeaderCarrierMatchesHTTPHeader checks the carrier against
// propagation.HeaderCarrier for the keys it maps and for others.
func TestHeaderCarrierMatchesHTTPHeader(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"traceparent", "tracestate", "baggage", "Traceparent", "x-b3-traceid", "uber-trace-id"} {
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			ours, theirs := http.Header{}, http.Header{}
			if got, want := headerCarrier(ours).Get(key), propagation.HeaderCarrier(theirs).Get(key); got != want {
				t.Fatalf("Get on empty: %q, want %q", got, want)
			}
			headerCarrier(ours).Set(key, "v1")
			propagation.HeaderCarrier(theirs).Set(key, "v1")
			headerCarrier(ours).Set(key, "v2")
			propagation.HeaderCarrier(theirs).Set(key, "v2")
			if len(ours) != 1 || len(theirs) != 1 || ours.Get(key) != theirs.Get(key) || len(ours.Values(key)) != 1 {
				t.Fatalf("after Set: %v, want %v", ours, theirs)
			}
			if got, want := headerCarrier(ours).Get(key), propagation.HeaderCarrier(theirs).Get(key); got != want {
				t.Fatalf("Get: %q, want %q", got, want)
			}
			if got, want := headerCarrier(ours).Keys(), propagation.HeaderCarrier(theirs).Keys(); len(got) != 1 || got[0] != want[0] {
				t.Fatalf("Keys: %v, want %v", got, want)
			}
		})
	}
}

func TestHeaderCarrierGetAllocatesNothing(t *testing.T) {
	h := http.Header{"Traceparent": {"00-0102-03-01"}}
	if n := testing.AllocsPerRun(100, func() {
		_ = headerCarrier(h).Get("traceparent")
		_ = headerCarrier(h).Get("baggage")
	}); n != 0 {
		t.Fatalf("%v allocations, want 0", n)
	}
}
