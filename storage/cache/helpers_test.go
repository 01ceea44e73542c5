package cache_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/cache"
)

func redisURL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// testPrefix returns a key prefix no other test uses, and removes every key under it
// when t ends (SCAN, never KEYS).
func testPrefix(t testing.TB) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "footingtest:" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		opts, err := redis.ParseURL(redisURL())
		if err != nil {
			return
		}
		rdb := redis.NewClient(opts)
		defer rdb.Close()
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+":*", 500).Iterator()
		for iter.Next(ctx) {
			rdb.Unlink(ctx, iter.Val())
		}
	})
	return prefix
}

func tenantCtx(tenant string) context.Context {
	return identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: tenant, UserId: "u-" + tenant})
}

type bundle struct {
	reader *sdkmetric.ManualReader
	logs   *syncBuffer
}

// newCache returns a Cache over a fresh Redis backend (redisURL "" means the test
// Redis) with its own prefix, metrics reader and log buffer.
func newRedisCache(t testing.TB, url, prefix string, localEntries int) (*cache.Cache, *cache.Redis, *bundle) {
	t.Helper()
	if url == "" {
		url = redisURL()
	}
	b := &bundle{reader: sdkmetric.NewManualReader(), logs: &syncBuffer{}}
	cfg := cache.Config{
		RedisURL:        url,
		Prefix:          prefix,
		LocalMaxEntries: localEntries,
		MeterProvider:   sdkmetric.NewMeterProvider(sdkmetric.WithReader(b.reader)),
		Logger:          slog.New(slog.NewTextHandler(b.logs, nil)),
	}
	r, err := cache.NewRedis(cfg)
	if err != nil {
		t.Fatalf("NewRedis: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return cache.New(r, cfg), r, b
}

func newMemoryCache(t *testing.T) (*cache.Cache, *bundle) {
	t.Helper()
	b := &bundle{reader: sdkmetric.NewManualReader(), logs: &syncBuffer{}}
	cfg := cache.Config{
		MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(b.reader)),
		Logger:        slog.New(slog.NewTextHandler(b.logs, nil)),
	}
	c := cache.New(cache.NewMemory(100), cfg)
	t.Cleanup(func() { c.Close() })
	return c, b
}

// counter sums the int64 counter name, over data points whose attributes include
// every key=value in match.
func (b *bundle) counter(t testing.TB, name string, match map[string]string) int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := b.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("collect: %v", err)
	}
	var total int64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			sum, ok := m.Data.(metricdata.Sum[int64])
			if m.Name != name || !ok {
				continue
			}
		points:
			for _, dp := range sum.DataPoints {
				for k, v := range match {
					if got, ok := dp.Attributes.Value(attribute.Key(k)); !ok || got.AsString() != v {
						continue points
					}
				}
				total += dp.Value
			}
		}
	}
	return total
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// proxy is a TCP proxy between the client and Redis that the test can cut.
type proxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln}
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			p.wg.Go(func() { io.Copy(up, c); up.Close() })
			p.wg.Go(func() { io.Copy(c, up); c.Close() })
		}
	})
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

// cut closes the listener and every connection: Redis becomes unreachable.
func (p *proxy) cut() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
