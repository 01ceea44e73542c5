package benchcmp_test

import (
	"testing"

	"github.com/footingdev/footing/observability/internal/benchcmp"
)

var sink []byte

func TestCompareCountsAllocations(t *testing.T) {
	t.Parallel()
	r := benchcmp.Compare(256, func() {}, func() { sink = make([]byte, 64) })
	if r.AddedAllocs() < 0.99 || r.AddedAllocs() > 1.01 {
		t.Fatalf("added allocations %v, want 1", r.AddedAllocs())
	}
	if r.BaseNs <= 0 || r.SubjectNs <= 0 {
		t.Fatalf("times %v", r)
	}
}
