package cache

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/footingdev/footing/observability/semconv"
	"github.com/footingdev/footing/storage"
)

const instrumentationName = "github.com/footingdev/footing/storage/cache"

const (
	resultHit   = "hit"
	resultMiss  = "miss"
	resultError = "error"
)

// logEvery limits how often absorbed backend failures are logged.
const logEvery = 10 * time.Second

// observer counts requests, loads and absorbed errors, and logs failures at most once
// every logEvery (with the number suppressed in between).
type observer struct {
	logger   *slog.Logger
	requests metric.Int64Counter
	loads    metric.Int64Counter
	errors   metric.Int64Counter

	// Pre-built attribute sets for the hot path, so a hit allocates nothing here.
	reqAttrs map[Tier]map[string][]metric.AddOption

	lastLog    atomic.Int64 // unix nanos
	suppressed atomic.Int64
}

func newObserver(cfg Config) *observer {
	mp := cfg.MeterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(instrumentationName, metric.WithInstrumentationVersion(storage.Version))
	o := &observer{logger: cfg.Logger, reqAttrs: make(map[Tier]map[string][]metric.AddOption)}
	// Instrument creation only fails for invalid names, and these are constants.
	o.requests, _ = m.Int64Counter(semconv.CacheRequests.Name,
		metric.WithUnit(semconv.CacheRequests.Unit), metric.WithDescription(semconv.CacheRequests.Description))
	o.loads, _ = m.Int64Counter(semconv.CacheLoads.Name,
		metric.WithUnit(semconv.CacheLoads.Unit), metric.WithDescription(semconv.CacheLoads.Description))
	o.errors, _ = m.Int64Counter(semconv.CacheErrors.Name,
		metric.WithUnit(semconv.CacheErrors.Unit), metric.WithDescription(semconv.CacheErrors.Description))
	for _, tier := range []Tier{TierLocal, TierRedis, TierMemory, ""} {
		byResult := make(map[string][]metric.AddOption)
		for _, r := range []string{resultHit, resultMiss, resultError} {
			byResult[r] = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(
				attribute.String(semconv.AttrCacheTier, string(tier)), attribute.String(semconv.AttrResult, r)))}
		}
		o.reqAttrs[tier] = byResult
	}
	return o
}

func (o *observer) request(ctx context.Context, tier Tier, result string) {
	if opts, ok := o.reqAttrs[tier][result]; ok {
		o.requests.Add(ctx, 1, opts...)
	}
}

func (o *observer) load(ctx context.Context, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	o.loads.Add(ctx, 1, metric.WithAttributes(attribute.String(semconv.AttrResult, outcome)))
}

func (o *observer) errorCount(ctx context.Context, op string) {
	o.errors.Add(ctx, 1, metric.WithAttributes(attribute.String("footing.cache.operation", op)))
}

// absorbed counts a backend failure that the caller does not see, and logs it.
func (o *observer) absorbed(ctx context.Context, op string, err error) {
	o.errorCount(ctx, op)
	now := time.Now().UnixNano()
	last := o.lastLog.Load()
	if now-last < int64(logEvery) || !o.lastLog.CompareAndSwap(last, now) {
		o.suppressed.Add(1)
		return
	}
	o.logger.WarnContext(ctx, "cache: failure absorbed (backend unavailable or undecodable entry); serving from the source",
		"operation", op, "error", err.Error(), "suppressed_since_last", o.suppressed.Swap(0))
}
