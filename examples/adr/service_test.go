package adr_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/examples/adr"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
	"github.com/footingdev/footing/storage/cache"
	"github.com/footingdev/footing/storage/pgtest"
)

type bundle struct {
	svc     *adr.Service
	db      *pgtest.DB
	flags   *flagSet
	enqueue *enqueued
}

// flagSet turns flags on per tenant.
type flagSet struct {
	mu sync.Mutex
	on map[string]bool
}

func (f *flagSet) set(tenant, flag string, on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.on[tenant+"/"+flag] = on
}

func (f *flagSet) Enabled(ctx context.Context, flag string) bool {
	tenant, _ := identity.TenantID(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.on[tenant+"/"+flag]
}

// enqueued records the render jobs enqueued, with the tenant whose transaction enqueued them.
type enqueued struct {
	mu   sync.Mutex
	jobs []string
}

func redisURL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

func setup(t *testing.T, hubOpts ...adr.HubOption) *bundle {
	t.Helper()
	db := pgtest.New(t, pgtest.WithMigrations(adr.Migrations()), pgtest.WithoutRiver())
	c, err := cache.Open(cache.Config{RedisURL: redisURL(), Prefix: "adrtest-" + uuid.NewString()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	hub := adr.NewHub(db.App, nil, hubOpts...)
	done := make(chan struct{})
	go func() { defer close(done); _ = hub.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	<-hub.Ready()

	key := make([]byte, 32)
	_, _ = rand.Read(key)
	b := &bundle{db: db, flags: &flagSet{on: map[string]bool{}}, enqueue: &enqueued{}}
	b.svc, err = adr.NewService(adr.Config{
		Pool: db.App, Cache: c, Hub: hub, PageTokenKey: key, Flags: b.flags,
		Enqueue: func(ctx context.Context, tx pgx.Tx, args adr.RenderArgs) error {
			var tenant string
			if err := tx.QueryRow(ctx, `SELECT current_setting('app.tenant_id')`).Scan(&tenant); err != nil {
				return err
			}
			b.enqueue.mu.Lock()
			defer b.enqueue.mu.Unlock()
			b.enqueue.jobs = append(b.enqueue.jobs, fmt.Sprintf("%s/%s/v%d", tenant, args.ID, args.Version))
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func tenantCtx(tenant string) context.Context {
	return identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "user-of-" + tenant[:8], TenantId: tenant})
}

func sample(title string) *adrv1.ADR {
	return &adrv1.ADR{Title: title, Status: adrv1.Status_STATUS_PROPOSED, Context: "c", Decision: "d", Tags: []string{"infra"}}
}

func create(t *testing.T, b *bundle, ctx context.Context, a *adrv1.ADR) *adrv1.ADR {
	t.Helper()
	res, err := b.svc.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: a}))
	if err != nil {
		t.Fatalf("CreateADR: %v", err)
	}
	return res.Msg.GetAdr()
}

func TestCRUDAndVersions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := tenantCtx(uuid.NewString())
	a := create(t, b, ctx, sample("Use Postgres"))
	if a.GetId() == "" || a.GetVersion() != 1 || a.GetAuthor() == "" || a.GetCreateTime() == nil {
		t.Fatalf("created = %v", a)
	}
	got, err := b.svc.GetADR(ctx, connect.NewRequest(&adrv1.GetADRRequest{Id: a.GetId()}))
	if err != nil || got.Msg.GetAdr().GetTitle() != "Use Postgres" {
		t.Fatalf("GetADR = %v, %v", got, err)
	}

	// Update with the current version; the cached copy must not survive it.
	upd := a
	upd.Title = "Use Postgres 15"
	res, err := b.svc.UpdateADR(ctx, connect.NewRequest(&adrv1.UpdateADRRequest{Adr: upd}))
	if err != nil || res.Msg.GetAdr().GetVersion() != 2 {
		t.Fatalf("UpdateADR = %v, %v", res, err)
	}
	got, err = b.svc.GetADR(ctx, connect.NewRequest(&adrv1.GetADRRequest{Id: a.GetId()}))
	if err != nil || got.Msg.GetAdr().GetTitle() != "Use Postgres 15" || got.Msg.GetAdr().GetVersion() != 2 {
		t.Fatalf("GetADR after update = %v, %v (stale cache?)", got.Msg.GetAdr(), err)
	}

	// A stale version is refused and changes nothing.
	upd.Title = "lost update"
	upd.Version = 1
	_, err = b.svc.UpdateADR(ctx, connect.NewRequest(&adrv1.UpdateADRRequest{Adr: upd}))
	if d := errs.From(err); d.Code != connect.CodeAborted || d.Reason != "VERSION_CONFLICT" {
		t.Fatalf("stale update: %+v", d)
	}
	if got, _ := b.svc.GetADR(ctx, connect.NewRequest(&adrv1.GetADRRequest{Id: a.GetId()})); got.Msg.GetAdr().GetTitle() != "Use Postgres 15" {
		t.Fatalf("a stale update changed the ADR: %v", got.Msg.GetAdr())
	}
	_, err = b.svc.DeleteADR(ctx, connect.NewRequest(&adrv1.DeleteADRRequest{Id: a.GetId(), Version: 1}))
	if errs.From(err).Code != connect.CodeAborted {
		t.Fatalf("stale delete: %v", err)
	}
	if _, err = b.svc.DeleteADR(ctx, connect.NewRequest(&adrv1.DeleteADRRequest{Id: a.GetId(), Version: 2})); err != nil {
		t.Fatal(err)
	}
	_, err = b.svc.GetADR(ctx, connect.NewRequest(&adrv1.GetADRRequest{Id: a.GetId()}))
	if d := errs.From(err); d.Code != connect.CodeNotFound || d.Reason != "ADR_NOT_FOUND" {
		t.Fatalf("get after delete: %+v", d)
	}

	// One render job per create and update, enqueued in the writing tenant's transaction.
	tenant, _ := identity.TenantID(ctx)
	b.enqueue.mu.Lock()
	defer b.enqueue.mu.Unlock()
	want := []string{tenant + "/" + a.GetId() + "/v1", tenant + "/" + a.GetId() + "/v2"}
	if fmt.Sprint(b.enqueue.jobs) != fmt.Sprint(want) {
		t.Fatalf("jobs = %v, want %v", b.enqueue.jobs, want)
	}
}

func TestTenantsAreIsolated(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ta, tb := tenantCtx(uuid.NewString()), tenantCtx(uuid.NewString())
	a := create(t, b, ta, sample("A's secret"))
	// B can neither read, change nor delete A's ADR: to B it does not exist.
	_, err := b.svc.GetADR(tb, connect.NewRequest(&adrv1.GetADRRequest{Id: a.GetId()}))
	if errs.From(err).Code != connect.CodeNotFound {
		t.Fatalf("B read A's ADR: %v", err)
	}
	steal := sample("stolen")
	steal.Id, steal.Version = a.GetId(), a.GetVersion()
	if _, err := b.svc.UpdateADR(tb, connect.NewRequest(&adrv1.UpdateADRRequest{Adr: steal})); errs.From(err).Code != connect.CodeNotFound {
		t.Fatalf("B updated A's ADR: %v", err)
	}
	if _, err := b.svc.DeleteADR(tb, connect.NewRequest(&adrv1.DeleteADRRequest{Id: a.GetId(), Version: 1})); errs.From(err).Code != connect.CodeNotFound {
		t.Fatalf("B deleted A's ADR: %v", err)
	}
	list, err := b.svc.ListADRs(tb, connect.NewRequest(&adrv1.ListADRsRequest{}))
	if err != nil || len(list.Msg.GetAdrs()) != 0 {
		t.Fatalf("B's list = %v, %v", list.Msg.GetAdrs(), err)
	}
	got, err := b.svc.GetADR(ta, connect.NewRequest(&adrv1.GetADRRequest{Id: a.GetId()}))
	if err != nil || got.Msg.GetAdr().GetTitle() != "A's secret" || got.Msg.GetAdr().GetVersion() != 1 {
		t.Fatalf("A's ADR after B's attempts = %v, %v", got, err)
	}
}

func TestListPagesAndFilters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := tenantCtx(uuid.NewString())
	other := tenantCtx(uuid.NewString())
	const n = 23
	for i := range n {
		a := sample(fmt.Sprintf("adr %02d", i))
		if i%3 == 0 {
			a.Tags = []string{"db"}
			a.Status = adrv1.Status_STATUS_ACCEPTED
		}
		create(t, b, ctx, a)
		create(t, b, other, sample("other"))
	}
	seen := map[string]bool{}
	token := ""
	pages := 0
	for {
		res, err := b.svc.ListADRs(ctx, connect.NewRequest(&adrv1.ListADRsRequest{Page: &commonv1.PageRequest{PageSize: 5, PageToken: token}}))
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, a := range res.Msg.GetAdrs() {
			if seen[a.GetId()] || a.GetTitle() == "other" {
				t.Fatalf("page %d: duplicate or foreign ADR %v", pages, a)
			}
			seen[a.GetId()] = true
		}
		token = res.Msg.GetPage().GetNextPageToken()
		if token == "" {
			break
		}
	}
	if len(seen) != n || pages != 5 {
		t.Fatalf("saw %d ADRs in %d pages; want %d in 5", len(seen), pages, n)
	}
	res, err := b.svc.ListADRs(ctx, connect.NewRequest(&adrv1.ListADRsRequest{Tag: "db", Status: adrv1.Status_STATUS_ACCEPTED}))
	if err != nil || len(res.Msg.GetAdrs()) != 8 {
		t.Fatalf("filtered list = %d, %v; want 8", len(res.Msg.GetAdrs()), err)
	}

	// A token is bound to its tenant and filters, and tamper-evident.
	first, _ := b.svc.ListADRs(ctx, connect.NewRequest(&adrv1.ListADRsRequest{Page: &commonv1.PageRequest{PageSize: 2}}))
	tok := first.Msg.GetPage().GetNextPageToken()
	for name, call := range map[string]func() error{
		"other tenant": func() error {
			_, err := b.svc.ListADRs(other, connect.NewRequest(&adrv1.ListADRsRequest{Page: &commonv1.PageRequest{PageToken: tok}}))
			return err
		},
		"other filter": func() error {
			_, err := b.svc.ListADRs(ctx, connect.NewRequest(&adrv1.ListADRsRequest{Tag: "db", Page: &commonv1.PageRequest{PageToken: tok}}))
			return err
		},
		"tampered": func() error {
			bad := []byte(tok)
			bad[5] ^= 1
			_, err := b.svc.ListADRs(ctx, connect.NewRequest(&adrv1.ListADRsRequest{Page: &commonv1.PageRequest{PageToken: string(bad)}}))
			return err
		},
	} {
		if d := errs.From(call()); d.Code != connect.CodeInvalidArgument || d.Reason != errs.ReasonPageTokenInvalid || len(d.FieldViolations) != 1 || d.FieldViolations[0].GetField() != errs.PageTokenField {
			t.Errorf("%s: %+v", name, d)
		}
	}
}

func TestFlagRequiresConsequences(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tenant := uuid.NewString()
	ctx := tenantCtx(tenant)
	accepted := sample("accepted without consequences")
	accepted.Status = adrv1.Status_STATUS_ACCEPTED
	create(t, b, ctx, accepted) // Flag off: allowed.

	b.flags.set(tenant, adr.FlagRequireConsequences, true)
	_, err := b.svc.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: accepted}))
	if d := errs.From(err); d.Code != connect.CodeInvalidArgument || d.Reason != "CONSEQUENCES_REQUIRED" || len(d.FieldViolations) != 1 {
		t.Fatalf("flag on: %+v", d)
	}
	accepted.Consequences = "we run Postgres"
	create(t, b, ctx, accepted)
	list, _ := b.svc.ListADRs(ctx, connect.NewRequest(&adrv1.ListADRsRequest{}))
	if len(list.Msg.GetAdrs()) != 2 {
		t.Fatalf("%d ADRs stored; want 2 (the refused one must not be written)", len(list.Msg.GetAdrs()))
	}
}

func TestMarkdown(t *testing.T) {
	t.Parallel()
	md := adr.Markdown(&adrv1.ADR{Title: "T", Status: adrv1.Status_STATUS_SUPERSEDED, SupersededBy: "x", Tags: []string{"a", "b"},
		Author: "u", Version: 3, Decision: "We will.\n"})
	want := "# T\n\n- Status: superseded\n- Superseded by: x\n- Tags: a, b\n- Author: u\n- Version: 3\n\n## Decision\n\nWe will.\n"
	if md != want {
		t.Fatalf("Markdown =\n%q\nwant\n%q", md, want)
	}
}
