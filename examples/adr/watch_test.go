package adr_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/examples/adr"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
	"github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1/adrv1connect"
)

// tenantHeader stands in for gatewaycore's auth in this package's tests: the
// end-to-end tests in examples/app use real tokens.
const tenantHeader = "X-Test-Tenant"

func serve(t *testing.T, b *bundle) adrv1connect.ADRServiceClient {
	t.Helper()
	client, _ := serveAt(t, b)
	return client
}

// serveAt is serve that also gives the server's address, for raw connections.
func serveAt(t *testing.T, b *bundle) (adrv1connect.ADRServiceClient, string) {
	t.Helper()
	path, h := adrv1connect.NewADRServiceHandler(b.svc)
	mux := http.NewServeMux()
	mux.Handle(path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant := r.Header.Get(tenantHeader)
		ctx := identity.WithPrincipal(r.Context(), &commonv1.Principal{Subject: "watcher", TenantId: tenant})
		h.ServeHTTP(w, r.WithContext(ctx))
	}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return adrv1connect.NewADRServiceClient(srv.Client(), srv.URL), srv.Listener.Addr().String()
}

func TestWatchSeesOnlyItsTenant(t *testing.T) {
	t.Parallel()
	b := setup(t)
	client := serve(t, b)
	ta, tb := uuid.NewString(), uuid.NewString()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	watch := func(tenant string) *connect.ServerStreamForClient[adrv1.WatchADRsResponse] {
		req := connect.NewRequest(&adrv1.WatchADRsRequest{})
		req.Header().Set(tenantHeader, tenant)
		s, err := client.WatchADRs(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	wa, wb := watch(ta), watch(tb)
	// The handler sends headers once subscribed: wait for them before writing.
	for _, s := range []*connect.ServerStreamForClient[adrv1.WatchADRsResponse]{wa, wb} {
		if s.ResponseHeader() == nil {
			t.Fatal("no response headers")
		}
	}

	a := create(t, b, tenantCtx(ta), sample("for A"))
	bADR := create(t, b, tenantCtx(tb), sample("for B"))
	upd := a
	upd.Title = "for A, v2"
	if _, err := b.svc.UpdateADR(tenantCtx(ta), connect.NewRequest(&adrv1.UpdateADRRequest{Adr: upd})); err != nil {
		t.Fatal(err)
	}

	next := func(s *connect.ServerStreamForClient[adrv1.WatchADRsResponse]) *adrv1.WatchADRsResponse {
		t.Helper()
		if !s.Receive() {
			t.Fatalf("watch ended: %v", s.Err())
		}
		return s.Msg()
	}
	if ev := next(wa); ev.GetKind() != adrv1.WatchADRsResponse_KIND_CREATED || ev.GetAdr().GetId() != a.GetId() {
		t.Fatalf("A's first event = %v", ev)
	}
	if ev := next(wa); ev.GetKind() != adrv1.WatchADRsResponse_KIND_UPDATED || ev.GetAdr().GetTitle() != "for A, v2" {
		t.Fatalf("A's second event = %v", ev)
	}
	if ev := next(wb); ev.GetAdr().GetId() != bADR.GetId() || ev.GetAdr().GetTitle() != "for B" {
		t.Fatalf("B's first event = %v (saw another tenant's change?)", ev)
	}
	// B's next event is its own delete, not A's update.
	if _, err := b.svc.DeleteADR(tenantCtx(tb), connect.NewRequest(&adrv1.DeleteADRRequest{Id: bADR.GetId(), Version: 1})); err != nil {
		t.Fatal(err)
	}
	// The delete event carries the ADR as it was.
	if ev := next(wb); ev.GetKind() != adrv1.WatchADRsResponse_KIND_DELETED || ev.GetAdr().GetId() != bADR.GetId() ||
		ev.GetAdr().GetTitle() != "for B" || ev.GetAdr().GetVersion() != 1 {
		t.Fatalf("B's second event = %v", ev)
	}
}

// TestWatchesPerTenantAreBounded: each open watch holds a goroutine, a connection and a
// buffer; one tenant's credential must not hold them without bound. Past the maximum a
// watch is ResourceExhausted, other tenants still watch, and a closed watch frees its
// place.
func TestWatchesPerTenantAreBounded(t *testing.T) {
	t.Parallel()
	b := setup(t, adr.WithMaxWatchersPerTenant(3))
	client := serve(t, b)
	// The bound of a stuck server, not a timing assertion.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tenant, other := uuid.NewString(), uuid.NewString()
	// watch opens a watch for tenant and proves it live or refused: a change is made in
	// the tenant, which a live watch receives.
	watch := func(tenant string) (*connect.ServerStreamForClient[adrv1.WatchADRsResponse], error) {
		req := connect.NewRequest(&adrv1.WatchADRsRequest{})
		req.Header().Set(tenantHeader, tenant)
		w, err := client.WatchADRs(ctx, req)
		if err != nil {
			return nil, err
		}
		_ = w.ResponseHeader()
		create(t, b, tenantCtx(tenant), sample("probe"))
		if w.Receive() {
			return w, nil
		}
		err = w.Err()
		_ = w.Close()
		return nil, err
	}
	var open []*connect.ServerStreamForClient[adrv1.WatchADRsResponse]
	for range 3 {
		w, err := watch(tenant)
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, w)
	}
	_, err := watch(tenant)
	if d := errs.From(err); d.Code != connect.CodeResourceExhausted || d.Reason != "TOO_MANY_WATCHES" {
		t.Fatalf("4th watch: %+v", d)
	}
	w, err := watch(other)
	if err != nil {
		t.Fatalf("another tenant cannot watch: %v", err)
	}
	_ = w.Close()
	_ = open[0].Close()
	for {
		w, err := watch(tenant)
		if err == nil {
			_ = w.Close()
			break
		}
		if errs.From(err).Code != connect.CodeResourceExhausted || ctx.Err() != nil {
			t.Fatalf("after closing one: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, w := range open[1:] {
		_ = w.Close()
	}
}

// TestWatchEndsWhenTheFeedIsInterrupted: the hub hears changes on one LISTEN
// connection; when it breaks, changes committed before it listens again are never
// heard. Watches open at that moment stayed open and silently missed them, so a client
// keeping a view current from its watch kept a stale one with no sign of it. They now
// end with Unavailable (the client lists again and watches again), and watching works
// again once the hub listens again.
func TestWatchEndsWhenTheFeedIsInterrupted(t *testing.T) {
	t.Parallel()
	b := setup(t)
	client := serve(t, b)
	// The bound of a watch that never ends (the bug), not a timing assertion.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tenant := uuid.NewString()
	watch := func() *connect.ServerStreamForClient[adrv1.WatchADRsResponse] {
		req := connect.NewRequest(&adrv1.WatchADRsRequest{})
		req.Header().Set(tenantHeader, tenant)
		w, err := client.WatchADRs(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		_ = w.ResponseHeader()
		return w
	}
	w := watch()
	defer func() { _ = w.Close() }()
	first := create(t, b, tenantCtx(tenant), sample("before"))
	if !w.Receive() || w.Msg().GetAdr().GetId() != first.GetId() {
		t.Fatalf("watch before the interruption: %v, %v", w.Msg(), w.Err())
	}

	admin, err := pgx.Connect(ctx, b.db.SuperuserURL())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = admin.Close(context.Background()) }()
	var killed int
	if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = $1 AND query LIKE 'LISTEN %'`, b.db.Name).Scan(&killed); err != nil || killed != 1 {
		t.Fatalf("terminate the hub's listener: %d, %v", killed, err)
	}

	for w.Receive() {
		t.Logf("event after the interruption: %v", w.Msg())
	}
	if d := errs.From(w.Err()); d.Code != connect.CodeUnavailable || d.Reason != "WATCH_ENDED" {
		t.Fatalf("watch after its feed was interrupted ended with %+v, want Unavailable WATCH_ENDED", d)
	}

	// Watching again works once the hub listens again.
	for {
		w2 := watch()
		probe := create(t, b, tenantCtx(tenant), sample("after"))
		if w2.Receive() && w2.Msg().GetAdr().GetId() == probe.GetId() {
			_ = w2.Close()
			break
		}
		err := w2.Err()
		_ = w2.Close()
		if errs.From(err).Code != connect.CodeUnavailable || ctx.Err() != nil {
			t.Fatalf("watch again: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestStuckWatchersKeepTheirPlace: a watcher that stops reading falls behind, and the
// hub cuts it off; but its handler stays blocked writing to the connection (with the
// change it was sending and the ones buffered for it) for as long as the connection
// lasts, and its place was freed at once. A tenant's credential could so hold watches
// without bound — open the maximum, stop reading, write subscriptionBuffer changes,
// repeat — past WithMaxWatchersPerTenant. A watch now holds its place until its handler
// has returned.
func TestStuckWatchersKeepTheirPlace(t *testing.T) {
	t.Parallel()
	b := setup(t, adr.WithMaxWatchersPerTenant(1))
	client, addr := serveAt(t, b)
	// The bound of a stuck server, not a timing assertion.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tenant := uuid.NewString()

	// A watch over a raw connection that reads its response headers and then nothing.
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }() // before the server's cleanup: the stuck handler then returns
	_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: adr\r\nContent-Type: application/connect+proto\r\n"+
		"Connect-Protocol-Version: 1\r\n%s: %s\r\nContent-Length: 5\r\n\r\n\x00\x00\x00\x00\x00",
		adrv1connect.ADRServiceWatchADRsProcedure, tenantHeader, tenant)
	if err != nil {
		t.Fatal(err)
	}
	// Its body is never read, nor closed (that would read it): closing conn ends it.
	res, err := http.ReadResponse(bufio.NewReaderSize(conn, 16), nil) //nolint:bodyclose // see above
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("raw watch: %v, %v", res, err)
	}

	// Changes of about 60 KB each, far more than the connection's buffers and the
	// subscription's hold together: the hub cuts the watcher off.
	big := sample("big")
	big.Context, big.Decision, big.Consequences = strings.Repeat("c", 20000), strings.Repeat("d", 20000), strings.Repeat("e", 20000)
	for range 800 {
		create(t, b, tenantCtx(tenant), big)
	}
	// Another watch of the tenant, proved live by a change it receives, or refused.
	req := connect.NewRequest(&adrv1.WatchADRsRequest{})
	req.Header().Set(tenantHeader, tenant)
	w, err := client.WatchADRs(ctx, req)
	if err == nil {
		_ = w.ResponseHeader()
		create(t, b, tenantCtx(tenant), sample("probe"))
		if w.Receive() {
			_ = w.Close()
			t.Fatal("a second watch was admitted while the first, cut off, was still held by its handler")
		}
		err = w.Err()
		_ = w.Close()
	}
	if d := errs.From(err); d.Code != connect.CodeResourceExhausted || d.Reason != "TOO_MANY_WATCHES" {
		t.Fatalf("second watch: %+v", d)
	}
}
