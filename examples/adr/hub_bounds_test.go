package adr_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/examples/adr"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
	"github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1/adrv1connect"
)

// openWatch opens a watch for tenant and waits for its headers.
func openWatch(ctx context.Context, t *testing.T, client adrv1connect.ADRServiceClient, tenant string) (*connect.ServerStreamForClient[adrv1.WatchADRsResponse], error) {
	t.Helper()
	req := connect.NewRequest(&adrv1.WatchADRsRequest{})
	req.Header().Set(tenantHeader, tenant)
	w, err := client.WatchADRs(ctx, req)
	if err != nil {
		return nil, err
	}
	_ = w.ResponseHeader()
	return w, nil
}

// TestWatchesPerInstanceAreBounded: the per-tenant bound alone let many tenants
// (or one attacker holding tokens of many) hold a goroutine, a connection and a
// buffer each, without bound on one instance. Past WithMaxWatchers a watch is
// Unavailable WATCH_CAPACITY (another instance may have room), and a closed watch
// frees its place.
func TestWatchesPerInstanceAreBounded(t *testing.T) {
	t.Parallel()
	b := setup(t, adr.WithMaxWatchers(2))
	client := serve(t, b)
	// The bound of a stuck server, not a timing assertion.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// live proves a watch open: a change in its tenant reaches it.
	live := func(w *connect.ServerStreamForClient[adrv1.WatchADRsResponse], tenant string) error {
		create(t, b, tenantCtx(tenant), sample("probe"))
		if w.Receive() {
			return nil
		}
		return w.Err()
	}
	var open []*connect.ServerStreamForClient[adrv1.WatchADRsResponse]
	defer func() {
		for _, w := range open {
			_ = w.Close()
		}
	}()
	for i := range 2 {
		tenant := uuid.NewString()
		w, err := openWatch(ctx, t, client, tenant)
		if err == nil {
			err = live(w, tenant)
		}
		if err != nil {
			t.Fatalf("watch %d: %v", i+1, err)
		}
		open = append(open, w)
	}
	third := uuid.NewString()
	w, err := openWatch(ctx, t, client, third)
	if err == nil {
		err = live(w, third)
		_ = w.Close()
	}
	if d := errs.From(err); d.Code != connect.CodeUnavailable || d.Reason != "WATCH_CAPACITY" {
		t.Fatalf("a third tenant's watch past the instance's maximum of 2: %+v", d)
	}
	_ = open[0].Close()
	open = open[1:]
	for {
		w, err := openWatch(ctx, t, client, third)
		if err == nil {
			if err = live(w, third); err == nil {
				_ = w.Close()
				break
			}
			_ = w.Close()
		}
		if errs.From(err).Code != connect.CodeUnavailable || ctx.Err() != nil {
			t.Fatalf("after closing one: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWatchEndsWhenAChangeCannotBeReadInTime: the hub reads each change it is told
// of before fanning it out, with Run's context only. A read that hangs (a lock on
// adr_changes, a stalled connection) stalled every watch of every tenant on the
// instance, silently, for as long as it hung. A read now has a deadline; past it the
// tenant's watches end with Unavailable WATCH_ENDED (the client lists again), and the
// hub goes on with the next notification.
func TestWatchEndsWhenAChangeCannotBeReadInTime(t *testing.T) {
	t.Parallel()
	b := setup(t, adr.WithChangeReadTimeout(300*time.Millisecond))
	client := serve(t, b)
	// The bound of a watch that hangs (the bug), not a timing assertion.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tenant := uuid.NewString()
	w, err := openWatch(ctx, t, client, tenant)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Close() }()
	first := create(t, b, tenantCtx(tenant), sample("before"))
	if !w.Receive() || w.Msg().GetAdr().GetId() != first.GetId() {
		t.Fatalf("watch before the lock: %v, %v", w.Msg(), w.Err())
	}

	locker, err := pgx.Connect(ctx, b.db.SuperuserURL())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = locker.Close(context.Background()) }()
	notifier, err := pgx.Connect(ctx, b.db.SuperuserURL())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = notifier.Close(context.Background()) }()
	var seq int64
	if err := notifier.QueryRow(ctx, `SELECT max(seq) FROM adr_changes WHERE tenant_id = $1`, tenant).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	tx, err := locker.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	if _, err := tx.Exec(ctx, `LOCK TABLE adr_changes IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	// The notification a write would send; the read it causes waits on the lock.
	if _, err := notifier.Exec(ctx, `SELECT pg_notify($1, $2)`, adr.NotifyChannel, fmt.Sprintf("%s:%d", tenant, seq)); err != nil {
		t.Fatal(err)
	}
	if w.Receive() {
		t.Fatalf("the watch received %v while its change could not be read", w.Msg())
	}
	if d := errs.From(w.Err()); d.Code != connect.CodeUnavailable || d.Reason != "WATCH_ENDED" {
		t.Fatalf("watch whose change could not be read ended with %+v, want Unavailable WATCH_ENDED", d)
	}
}
