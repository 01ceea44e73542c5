package adr_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/examples/adr"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
	"github.com/footingdev/footing/storage/cache"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/google/uuid"
)

// failingDeletes is a Memory backend whose Delete fails the first fail calls (all of
// them when fail is negative).
type failingDeletes struct {
	*cache.Memory
	fail  int64
	calls atomic.Int64
}

func (b *failingDeletes) Delete(ctx context.Context, keys ...string) error {
	if n := b.calls.Add(1); b.fail < 0 || n <= b.fail {
		return errors.New("backend down")
	}
	return b.Memory.Delete(ctx, keys...)
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestCommittedWritesSurviveAFailedEviction: an update or delete that committed
// answers success even when the cache will not drop the old copy: an error would
// have the client retry a change already made. A transient failure is retried (the
// next read is fresh); a lasting one is logged by id, never with the ADR's text.
func TestCommittedWritesSurviveAFailedEviction(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithMigrations(adr.Migrations()), pgtest.WithoutRiver())
	hub := adr.NewHub(db.App, nil)
	const secretTitle = "title-that-must-not-reach-logs"
	for _, tc := range []struct {
		name      string
		fail      int64
		freshRead bool
		warned    bool
	}{
		{name: "transient", fail: 2, freshRead: true},
		{name: "lasting", fail: -1, warned: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			backend := &failingDeletes{Memory: cache.NewMemory(0), fail: tc.fail}
			var logs lockedBuffer
			key := make([]byte, 32)
			_, _ = rand.Read(key)
			svc, err := adr.NewService(adr.Config{
				Pool: db.App, Cache: cache.New(backend, cache.Config{}), Hub: hub, PageTokenKey: key,
				Logger: slog.New(slog.NewTextHandler(&logs, nil)),
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx := tenantCtx(uuid.NewString())
			a := sample("first")
			res, err := svc.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: a}))
			if err != nil {
				t.Fatal(err)
			}
			a = res.Msg.GetAdr()
			if _, err := svc.GetADR(ctx, connect.NewRequest(&adrv1.GetADRRequest{Id: a.GetId()})); err != nil {
				t.Fatal(err) // now cached
			}
			a.Title = secretTitle
			up, err := svc.UpdateADR(ctx, connect.NewRequest(&adrv1.UpdateADRRequest{Adr: a}))
			if err != nil {
				t.Fatalf("UpdateADR committed but answered %v", err)
			}
			got, err := svc.GetADR(ctx, connect.NewRequest(&adrv1.GetADRRequest{Id: a.GetId()}))
			if err != nil {
				t.Fatal(err)
			}
			if fresh := got.Msg.GetAdr().GetTitle() == secretTitle; fresh != tc.freshRead {
				t.Errorf("read after the update: title %q, fresh %v, want fresh %v", got.Msg.GetAdr().GetTitle(), fresh, tc.freshRead)
			}
			if _, err := svc.DeleteADR(ctx, connect.NewRequest(&adrv1.DeleteADRRequest{Id: a.GetId(), Version: up.Msg.GetAdr().GetVersion()})); err != nil {
				t.Fatalf("DeleteADR committed but answered %v", err)
			}
			out := logs.String()
			if warned := strings.Count(out, "could not be evicted") == 2; warned != tc.warned {
				t.Errorf("warned for both writes %v, want %v; logs:\n%s", warned, tc.warned, out)
			}
			if tc.warned && !strings.Contains(out, "adr_id="+a.GetId()) {
				t.Errorf("the warning does not name the ADR; logs:\n%s", out)
			}
			if strings.Contains(out, secretTitle) {
				t.Errorf("the ADR's text reached the logs:\n%s", out)
			}
		})
	}
}
