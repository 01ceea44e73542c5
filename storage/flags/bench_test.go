package flags_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/footingdev/footing/storage/flags"
	"github.com/footingdev/footing/storage/pgtest"
)

// BenchmarkEvaluate measures a boolean evaluation whose overrides are cached (the
// steady state), interleaved with the bare baseline of reading and parsing the
// environment variable. ratio = provider time / bare time.
func BenchmarkEvaluate(b *testing.B) {
	db := pgtest.New(b, pgtest.WithoutRiver())
	tenant := newTenant(b, db)
	ctx := as(tenant, "u1")
	b.Setenv("FEATURE_BENCH_FLAG", "true")
	p := flags.New(db.App)
	if err := p.SetTenantOverride(ctx, "bench-flag", false); err != nil {
		b.Fatal(err)
	}
	if d := p.BooleanEvaluation(ctx, "bench-flag", true, nil); d.Value {
		b.Fatal("override not applied")
	}
	var tb, tp time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		s, _ := os.LookupEnv("FEATURE_BENCH_FLAG")
		if _, err := strconv.ParseBool(s); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if d := p.BooleanEvaluation(ctx, "bench-flag", true, nil); d.Value {
			b.Fatal("override lost")
		}
		tp += time.Since(t1)
		tb += t1.Sub(t0)
	}
	b.ReportMetric(float64(tb.Nanoseconds())/float64(b.N), "bare-ns/op")
	b.ReportMetric(float64(tp.Nanoseconds())/float64(b.N), "provider-ns/op")
	b.ReportMetric(float64(tp)/float64(tb), "ratio")
}
