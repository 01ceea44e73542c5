package flags_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/footingdev/footing/storage/cache"
	"github.com/footingdev/footing/storage/flags"
	"github.com/footingdev/footing/storage/pgtest"
)

// failingInvalidations is a Memory backend whose InvalidateTags fails the first fail
// calls (all of them when fail is negative).
type failingInvalidations struct {
	*cache.Memory
	fail  int64
	calls atomic.Int64
}

func (b *failingInvalidations) InvalidateTags(ctx context.Context, tags ...string) error {
	n := b.calls.Add(1)
	if b.fail < 0 || n <= b.fail {
		return errors.New("backend down")
	}
	return b.Memory.InvalidateTags(ctx, tags...)
}

// syncBuffer is a bytes.Buffer safe for a logger's concurrent writes.
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

// TestWriteSurvivesFailedInvalidation: once an override write has committed, a cache
// that refuses the invalidation must not make the write report failure. A transient
// refusal is retried (the new value is served at once); a lasting one is logged at
// Warn without the value, and the write still returns nil.
func TestWriteSurvivesFailedInvalidation(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	const secret = "s3cr3t-override-value"
	for _, tc := range []struct {
		name      string
		fail      int64
		freshRead bool // the new value is served right after the write
		warned    bool
	}{
		{name: "transient", fail: 2, freshRead: true},
		{name: "lasting", fail: -1, warned: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tenant := newTenant(t, db)
			ctx := as(tenant, "u1")
			backend := &failingInvalidations{Memory: cache.NewMemory(0), fail: tc.fail}
			var logs syncBuffer
			p := flags.New(db.App,
				flags.WithCache(cache.New(backend, cache.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})),
				flags.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
				flags.WithEnv(envMap(nil)))

			// Cache the flag's state before the write.
			if d := p.StringEvaluation(ctx, "greeting", "none", nil); d.Value != "none" {
				t.Fatalf("before the write: %+v", d)
			}
			for _, write := range []struct {
				name string
				do   func() error
			}{
				{"SetTenantOverride", func() error { return p.SetTenantOverride(ctx, "greeting", secret) }},
				{"SetUserOverride", func() error { return p.SetUserOverride(ctx, "greeting", "u1", secret) }},
				{"DeleteOverride", func() error { return p.DeleteOverride(ctx, "greeting", "u1") }},
			} {
				backend.calls.Store(0)
				if err := write.do(); err != nil {
					t.Fatalf("%s committed but returned %v", write.name, err)
				}
			}
			// The writes did commit: a provider with a fresh cache sees the tenant override.
			if d := flags.New(db.App, flags.WithEnv(envMap(nil))).StringEvaluation(ctx, "greeting", "none", nil); d.Value != secret {
				t.Fatalf("fresh provider: %+v, want the tenant override", d)
			}
			d := p.StringEvaluation(ctx, "greeting", "none", nil)
			if tc.freshRead && d.Value != secret {
				t.Fatalf("after a retried invalidation the cache still serves %q", d.Value)
			}
			out := logs.String()
			if got := strings.Contains(out, "level=WARN") && strings.Contains(out, "could not be invalidated"); got != tc.warned {
				t.Fatalf("warned = %v, want %v; log:\n%s", got, tc.warned, out)
			}
			if tc.warned && (!strings.Contains(out, "flag=greeting") || !strings.Contains(out, tenant)) {
				t.Fatalf("the warning does not name tenant and flag:\n%s", out)
			}
			if strings.Contains(out, secret) {
				t.Fatalf("the log shows the override's value:\n%s", out)
			}
		})
	}
}
