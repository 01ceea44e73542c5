package auth

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/footingdev/footing/observability/semconv"
)

// TestPassedAttributesIndex checks the prebuilt attribute sets of passing decisions
// against the general path: methodIndex and passedIndex find every method and
// result (and nothing else), and each prebuilt set is the one the general path
// would build for that method and result.
func TestPassedAttributesIndex(t *testing.T) {
	t.Parallel()
	for i, m := range methods {
		if got := methodIndex(m); got != i {
			t.Errorf("methodIndex(%q) = %d, want %d", m, got, i)
		}
	}
	for j, r := range passedResults {
		if got := passedIndex(r); got != j {
			t.Errorf("passedIndex(%q) = %d, want %d", r, got, j)
		}
	}
	for _, s := range []string{"", "JWT", "jwt ", "apikey", "oidc", resultDenied, resultUnauthenticated} {
		if methodIndex(s) >= 0 {
			t.Errorf("methodIndex(%q) found a method", s)
		}
	}
	for _, s := range []string{"", resultDenied, resultUnauthenticated, "Allowed", "jwt"} {
		if passedIndex(s) >= 0 {
			t.Errorf("passedIndex(%q) found a result", s)
		}
	}
	m := newMetrics(nil)
	for i, method := range methods {
		for j, result := range passedResults {
			opts := m.passed[i][j]
			if len(opts) != 1 {
				t.Fatalf("%s/%s: %d options", method, result, len(opts))
			}
			got := metric.NewAddConfig(opts).Attributes()
			want := attribute.NewSet(attribute.String("method", method), attribute.String(semconv.AttrResult, result))
			if !got.Equals(&want) {
				t.Errorf("%s/%s: attributes %v, want %v", method, result, got.ToSlice(), want.ToSlice())
			}
		}
	}
}
