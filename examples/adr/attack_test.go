package adr_test

// Attacks on the ADR service by a caller holding a valid credential of one tenant.
// Each test asserts that the attack fails.

import (
	"context"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/examples/adr"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
)

// TestNULBytesAreInvalidArgument: Postgres refuses 0x00 in a text column (SQLSTATE
// 22021). A NUL in any text the caller sends must come back as InvalidArgument naming
// the field, not as Internal (an error id, a 500, a page for the on-call).
func TestNULBytesAreInvalidArgument(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := tenantCtx(uuid.NewString())
	for field, mutate := range map[string]func(a *adrv1.ADR){
		"adr.title":        func(a *adrv1.ADR) { a.Title = "a\x00b" },
		"adr.context":      func(a *adrv1.ADR) { a.Context = "\x00" },
		"adr.decision":     func(a *adrv1.ADR) { a.Decision = "we\x00will" },
		"adr.consequences": func(a *adrv1.ADR) { a.Consequences = "x\x00" },
	} {
		a := sample("nul")
		mutate(a)
		_, err := b.svc.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: a}))
		checkFieldViolation(t, "create "+field, err, field)

		stored := create(t, b, ctx, sample("to update"))
		mutate(stored)
		_, err = b.svc.UpdateADR(ctx, connect.NewRequest(&adrv1.UpdateADRRequest{Adr: stored}))
		checkFieldViolation(t, "update "+field, err, field)
	}
	_, err := b.svc.ListADRs(ctx, connect.NewRequest(&adrv1.ListADRsRequest{Tag: "a\x00"}))
	checkFieldViolation(t, "list tag", err, "tag")
}

func checkFieldViolation(t *testing.T, name string, err error, field string) {
	t.Helper()
	d := errs.From(err)
	if d.Code != connect.CodeInvalidArgument {
		t.Errorf("%s: %v (code %v), want InvalidArgument", name, err, d.Code)
		return
	}
	for _, v := range d.FieldViolations {
		if v.GetField() == field {
			return
		}
	}
	t.Errorf("%s: violations %v do not name %s", name, d.FieldViolations, field)
}

// TestMalformedIDsAreInvalidArgument: ids the protos do not check as UUIDs (adr.id on
// update, superseded_by) reach a uuid column; a malformed one must be
// InvalidArgument, not Internal.
func TestMalformedIDsAreInvalidArgument(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := tenantCtx(uuid.NewString())
	a := create(t, b, ctx, sample("target"))

	bad := sample("bad id")
	bad.Id, bad.Version = "'; DROP TABLE adrs; --", 1
	_, err := b.svc.UpdateADR(ctx, connect.NewRequest(&adrv1.UpdateADRRequest{Adr: bad}))
	if errs.From(err).Code != connect.CodeInvalidArgument && errs.From(err).Code != connect.CodeNotFound {
		t.Errorf("update with a malformed id: %v", err)
	}
	sup := sample("superseded")
	sup.Status, sup.SupersededBy = adrv1.Status_STATUS_SUPERSEDED, "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"
	_, err = b.svc.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: sup}))
	checkFieldViolation(t, "create superseded_by", err, "adr.superseded_by")
	sup.Id, sup.Version = a.GetId(), a.GetVersion()
	_, err = b.svc.UpdateADR(ctx, connect.NewRequest(&adrv1.UpdateADRRequest{Adr: sup}))
	checkFieldViolation(t, "update superseded_by", err, "adr.superseded_by")
}

// TestIDSpellingsShareTheCache: a UUID has many spellings (upper case) that name the
// same row. A read through one spelling must not keep serving the ADR after an update
// or a delete through another.
func TestIDSpellingsShareTheCache(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := tenantCtx(uuid.NewString())
	a := create(t, b, ctx, sample("v1"))
	upper := strings.ToUpper(a.GetId())
	get := func(id string) (*adrv1.ADR, error) {
		res, err := b.svc.GetADR(ctx, connect.NewRequest(&adrv1.GetADRRequest{Id: id}))
		if err != nil {
			return nil, err
		}
		return res.Msg.GetAdr(), nil
	}
	if got, err := get(upper); err != nil || got.GetTitle() != "v1" || got.GetId() != a.GetId() {
		t.Fatalf("get by upper-case id: %v, %v", got, err)
	}
	a.Title = "v2"
	res, err := b.svc.UpdateADR(ctx, connect.NewRequest(&adrv1.UpdateADRRequest{Adr: a}))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := get(upper); err != nil || got.GetTitle() != "v2" {
		t.Fatalf("get by upper-case id after update = %v, %v: stale cache entry", got, err)
	}
	// Cache the lower-case spelling, delete through the upper-case one.
	if _, err := get(a.GetId()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.DeleteADR(ctx, connect.NewRequest(&adrv1.DeleteADRRequest{Id: upper, Version: res.Msg.GetAdr().GetVersion()})); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{a.GetId(), upper} {
		if got, err := get(id); errs.From(err).Code != connect.CodeNotFound {
			t.Fatalf("get %s after delete = %v, %v: a deleted ADR is still served", id, got, err)
		}
	}
}

// TestCacheIsPerTenant: once tenant B has read its ADR (and cached it), tenant A asking
// for the same id still gets NotFound.
func TestCacheIsPerTenant(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ta, tb := tenantCtx(uuid.NewString()), tenantCtx(uuid.NewString())
	secret := create(t, b, tb, sample("B's secret"))
	for _, id := range []string{secret.GetId(), strings.ToUpper(secret.GetId())} {
		if _, err := b.svc.GetADR(tb, connect.NewRequest(&adrv1.GetADRRequest{Id: id})); err != nil {
			t.Fatal(err)
		}
		got, err := b.svc.GetADR(ta, connect.NewRequest(&adrv1.GetADRRequest{Id: id}))
		if d := errs.From(err); d.Code != connect.CodeNotFound || strings.Contains(d.Message, secret.GetId()) {
			t.Fatalf("A read B's cached ADR %s: %v, %+v", id, got, d)
		}
	}
}

// TestConcurrentUpdatesLoseNothing: many writers holding the same version race; exactly
// one wins, the others get VERSION_CONFLICT, and the stored ADR is the winner's.
func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := tenantCtx(uuid.NewString())
	a := create(t, b, ctx, sample("contended"))
	const writers = 16
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		winners []string
	)
	for i := range writers {
		wg.Go(func() {
			in := sample("writer " + string(rune('a'+i)))
			in.Id, in.Version = a.GetId(), a.GetVersion()
			res, err := b.svc.UpdateADR(ctx, connect.NewRequest(&adrv1.UpdateADRRequest{Adr: in}))
			if err != nil {
				if d := errs.From(err); d.Code != connect.CodeAborted || d.Reason != "VERSION_CONFLICT" {
					t.Errorf("writer %d: %+v", i, d)
				}
				return
			}
			mu.Lock()
			defer mu.Unlock()
			winners = append(winners, res.Msg.GetAdr().GetTitle())
		})
	}
	wg.Wait()
	if len(winners) != 1 {
		t.Fatalf("%d writers won with the same version: %v", len(winners), winners)
	}
	got, err := b.svc.GetADR(ctx, connect.NewRequest(&adrv1.GetADRRequest{Id: a.GetId()}))
	if err != nil || got.Msg.GetAdr().GetTitle() != winners[0] || got.Msg.GetAdr().GetVersion() != 2 {
		t.Fatalf("stored = %v, %v; want %q at version 2", got.Msg.GetAdr(), err, winners[0])
	}
}

// TestClientCannotSetServerFields: id, author, version and times in a create are the
// server's; author on update stays the creator's.
func TestClientCannotSetServerFields(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := tenantCtx(uuid.NewString())
	victim := create(t, b, tenantCtx(uuid.NewString()), sample("someone else's"))
	in := sample("spoofed")
	in.Id, in.Author, in.Version = victim.GetId(), "ceo", 99
	a := create(t, b, ctx, in)
	if a.GetId() == victim.GetId() || a.GetAuthor() == "ceo" || a.GetVersion() != 1 {
		t.Fatalf("client-set fields were stored: %v", a)
	}
	a.Author = "ceo"
	res, err := b.svc.UpdateADR(ctx, connect.NewRequest(&adrv1.UpdateADRRequest{Adr: a}))
	if err != nil || res.Msg.GetAdr().GetAuthor() == "ceo" || !res.Msg.GetAdr().GetCreateTime().AsTime().Equal(a.GetCreateTime().AsTime()) {
		t.Fatalf("update rewrote author or create time: %v, %v", res.Msg.GetAdr(), err)
	}
}

// TestSupersededByStaysInTheTenant: superseded_by has no foreign key; an ADR must not
// be stored as superseded by another tenant's ADR (whose id A learned somehow), by an
// id that names nothing, or by itself — a consumer following the link in a privileged
// context (an outbox reader, an admin tool) would cross tenants.
func TestSupersededByStaysInTheTenant(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ta, tb := tenantCtx(uuid.NewString()), tenantCtx(uuid.NewString())
	theirs := create(t, b, tb, sample("B's"))
	mine := create(t, b, ta, sample("A's"))
	for name, target := range map[string]string{"another tenant's": theirs.GetId(), "missing": uuid.NewString()} {
		a := sample("superseded")
		a.Status, a.SupersededBy = adrv1.Status_STATUS_SUPERSEDED, target
		_, err := b.svc.CreateADR(ta, connect.NewRequest(&adrv1.CreateADRRequest{Adr: a}))
		if d := errs.From(err); d.Code != connect.CodeFailedPrecondition || d.Reason != "SUPERSEDING_ADR_NOT_FOUND" {
			t.Errorf("create superseded by %s ADR: %+v", name, d)
		}
		upd := sample("superseded")
		upd.Id, upd.Version = mine.GetId(), mine.GetVersion()
		upd.Status, upd.SupersededBy = adrv1.Status_STATUS_SUPERSEDED, target
		_, err = b.svc.UpdateADR(ta, connect.NewRequest(&adrv1.UpdateADRRequest{Adr: upd}))
		if d := errs.From(err); d.Code != connect.CodeFailedPrecondition {
			t.Errorf("update superseded by %s ADR: %+v", name, d)
		}
	}
	self := sample("superseded by itself")
	self.Id, self.Version = mine.GetId(), mine.GetVersion()
	self.Status, self.SupersededBy = adrv1.Status_STATUS_SUPERSEDED, strings.ToUpper(mine.GetId())
	if _, err := b.svc.UpdateADR(ta, connect.NewRequest(&adrv1.UpdateADRRequest{Adr: self})); errs.From(err).Code != connect.CodeFailedPrecondition {
		t.Errorf("update superseded by itself: %v", err)
	}
	// Superseded by another ADR of the tenant: allowed.
	next := create(t, b, ta, sample("A's next"))
	ok := sample("superseded")
	ok.Id, ok.Version = mine.GetId(), mine.GetVersion()
	ok.Status, ok.SupersededBy = adrv1.Status_STATUS_SUPERSEDED, next.GetId()
	if _, err := b.svc.UpdateADR(ta, connect.NewRequest(&adrv1.UpdateADRRequest{Adr: ok})); err != nil {
		t.Fatalf("superseded by the tenant's own ADR: %v", err)
	}
}

// TestPagesAreBoundedInBytes: a tenant can fill ADRs to their maximum size; the largest
// page ListADRs serves must stay far below a process's memory (it was 1000 ADRs, about
// 240 MB per request), and a larger page_size is refused, not served.
func TestPagesAreBoundedInBytes(t *testing.T) {
	t.Parallel()
	if worst := adr.MaxPageSize * adr.MaxADRBytes; worst > 32<<20 {
		t.Fatalf("a page of %d ADRs may hold %d MB", adr.MaxPageSize, worst>>20)
	}
	b := setup(t)
	ctx := tenantCtx(uuid.NewString())
	_, err := b.svc.ListADRs(ctx, connect.NewRequest(&adrv1.ListADRsRequest{Page: &commonv1.PageRequest{PageSize: adr.MaxPageSize + 1}}))
	if d := errs.From(err); d.Code != connect.CodeInvalidArgument {
		t.Fatalf("page_size %d: %+v", adr.MaxPageSize+1, d)
	}
	if _, err := b.svc.ListADRs(ctx, connect.NewRequest(&adrv1.ListADRsRequest{Page: &commonv1.PageRequest{PageSize: adr.MaxPageSize}})); err != nil {
		t.Fatal(err)
	}
}

// TestUnstorableSubjectIsNotInternal: the author is the token's subject, which the
// caller's identity provider may let them choose; one Postgres cannot store (a NUL) is
// refused as the principal's problem, not Internal.
func TestUnstorableSubjectIsNotInternal(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "evil\x00", TenantId: uuid.NewString()})
	_, err := b.svc.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: sample("x")}))
	if d := errs.From(err); d.Code != connect.CodeFailedPrecondition && d.Code != connect.CodeInvalidArgument {
		t.Fatalf("subject with NUL: %v", err)
	}
}

// TestChangesAreNotKeptForever: every write records the whole ADR in adr_changes, which
// only the watch hubs read, as soon as the write commits. Nothing ever removed a row, so
// the table grew by a copy of every version of every ADR for good, and a deleted ADR's
// text (a secret pasted by mistake, data a tenant must erase) stayed in it. A write now
// drops its tenant's changes older than the retention, and only its tenant's.
func TestChangesAreNotKeptForever(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	ta, tb := uuid.NewString(), uuid.NewString()
	erased := sample("pasted by mistake")
	erased.Context = "password=hunter2"
	gone := create(t, b, tenantCtx(ta), erased)
	if _, err := b.svc.DeleteADR(tenantCtx(ta), connect.NewRequest(&adrv1.DeleteADRRequest{Id: gone.GetId(), Version: 1})); err != nil {
		t.Fatal(err)
	}
	create(t, b, tenantCtx(tb), sample("B's"))
	// Two hours pass.
	if _, err := b.db.System.Exec(ctx, `UPDATE adr_changes SET change_time = change_time - interval '2 hours'`); err != nil {
		t.Fatal(err)
	}
	kept := create(t, b, tenantCtx(ta), sample("now"))

	count := func(tenant string) (n int) {
		t.Helper()
		if err := b.db.System.QueryRow(ctx, `SELECT count(*) FROM adr_changes WHERE tenant_id = $1`, tenant).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(ta); n != 1 {
		t.Fatalf("A's changes after a write: %d rows, want its latest only", n)
	}
	var body []byte
	if err := b.db.System.QueryRow(ctx, `SELECT adr FROM adr_changes WHERE tenant_id = $1`, ta).Scan(&body); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(body), "hunter2") || !strings.Contains(string(body), kept.GetId()) {
		t.Fatal("A's remaining change is not its latest")
	}
	if n := count(tb); n != 1 {
		t.Fatalf("A's write changed B's changes: %d rows", n)
	}
}

// TestEverySpellingOfAnIDIsOneADR: the service accepts an id in any spelling a UUID
// parser reads (upper case, without hyphens, in braces, as a URN) and must treat them
// all as the one ADR. Update passed the spelling on to Postgres as it was: a URN, which
// Postgres cannot read, was an Internal error, and an ADR named without hyphens could
// be stored as superseded by itself, hyphenated.
func TestEverySpellingOfAnIDIsOneADR(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := tenantCtx(uuid.NewString())
	a := create(t, b, ctx, sample("spelled"))
	other := create(t, b, ctx, sample("other"))
	hex := strings.ToUpper(strings.ReplaceAll(a.GetId(), "-", ""))

	upd := sample("through a URN")
	upd.Id, upd.Version = "urn:uuid:"+a.GetId(), a.GetVersion()
	res, err := b.svc.UpdateADR(ctx, connect.NewRequest(&adrv1.UpdateADRRequest{Adr: upd}))
	if err != nil {
		t.Fatalf("update through a URN: %v", err)
	}
	if res.Msg.GetAdr().GetId() != a.GetId() {
		t.Fatalf("update through a URN updated %v", res.Msg.GetAdr())
	}
	self := sample("superseded by itself")
	self.Id, self.Version = hex, res.Msg.GetAdr().GetVersion()
	self.Status, self.SupersededBy = adrv1.Status_STATUS_SUPERSEDED, a.GetId()
	_, err = b.svc.UpdateADR(ctx, connect.NewRequest(&adrv1.UpdateADRRequest{Adr: self}))
	if d := errs.From(err); d.Code != connect.CodeFailedPrecondition || d.Reason != "SUPERSEDING_ADR_NOT_FOUND" {
		t.Fatalf("update of %s superseded by %s (itself): %+v", hex, a.GetId(), d)
	}
	sup := sample("superseded through a URN")
	sup.Status, sup.SupersededBy = adrv1.Status_STATUS_SUPERSEDED, "urn:uuid:"+other.GetId()
	created, err := b.svc.CreateADR(ctx, connect.NewRequest(&adrv1.CreateADRRequest{Adr: sup}))
	if err != nil {
		t.Fatalf("create superseded by a URN: %v", err)
	}
	if got := created.Msg.GetAdr().GetSupersededBy(); got != other.GetId() {
		t.Fatalf("create superseded by a URN stored %q", got)
	}
}
