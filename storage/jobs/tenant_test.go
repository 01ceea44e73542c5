package jobs_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/jobs"
	"github.com/footingdev/footing/storage/rls"
)

var testPageTokenKey = []byte("jobs-test-page-token-key-32-bytes-long!!")

// enqueueAs enqueues args in a tenant transaction of ctx and returns the job's id.
func enqueueAs(t *testing.T, ctx context.Context, b *bundle, c *jobs.Client, args river.JobArgs) int64 {
	t.Helper()
	var id int64
	if err := rls.InTenant(ctx, b.db.App, func(tx pgx.Tx) error {
		res, err := c.Enqueue(ctx, tx, args, nil)
		if err == nil {
			id = res.Job.ID
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

// enqueueWith enqueues args with opts, in a tenant transaction when ctx has a Principal and
// in a system one otherwise.
func enqueueWith(t *testing.T, ctx context.Context, b *bundle, c *jobs.Client, args river.JobArgs, opts *river.InsertOpts) int64 {
	t.Helper()
	var id int64
	fn := func(tx pgx.Tx) error {
		res, err := c.Enqueue(ctx, tx, args, opts)
		if err == nil {
			id = res.Job.ID
		}
		return err
	}
	var err error
	if _, ok := identity.PrincipalFrom(ctx); ok {
		err = rls.InTenant(ctx, b.db.App, fn)
	} else {
		err = rls.NewSystem(b.db.System).Do(ctx, "test", fn)
	}
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// enqueueSystem enqueues args without a Principal, as periodic and system work does.
func enqueueSystem(t *testing.T, b *bundle, c *jobs.Client, args river.JobArgs) int64 {
	t.Helper()
	var id int64
	ctx := context.Background()
	if err := rls.NewSystem(b.db.System).Do(ctx, "test", func(tx pgx.Tx) error {
		res, err := c.Enqueue(ctx, tx, args, nil)
		if err == nil {
			id = res.Job.ID
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if d := errs.From(err); d.Code != connect.CodeNotFound || d.Reason != "JOB_NOT_FOUND" {
		t.Fatalf("%s: %v; want NotFound JOB_NOT_FOUND", what, err)
	}
}

// TestTenantSeesOnlyItsOwnJobs checks Get, Cancel and Retry across tenants: tenant A's calls
// on tenant B's job, on a system job and on a missing id answer the same NotFound, and
// change nothing; A's calls on its own job work.
func TestTenantSeesOnlyItsOwnJobs(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.client(t, jobs.Config{PageTokenKey: testPageTokenKey})
	tenantA, tenantB := uuid.NewString(), uuid.NewString()
	ctxA, ctxB := as(tenantA), as(tenantB)
	jobA := enqueueAs(t, ctxA, b, c, ProbeArgs{Note: "a"})
	jobB := enqueueAs(t, ctxB, b, c, ProbeArgs{Note: "b"})
	system := enqueueSystem(t, b, c, ProbeArgs{Note: "system"})
	// Metadata given at insert cannot claim a tenant: footing's key is overwritten.
	forged := &river.InsertOpts{Metadata: []byte(`{"footing":{"tenant":"` + tenantA + `"}}`)}
	forgedByB := enqueueWith(t, ctxB, b, c, ProbeArgs{Note: "forged by B"}, forged)
	forgedBySystem := enqueueWith(t, context.Background(), b, c, ProbeArgs{Note: "forged by system"}, forged)
	missing := forgedBySystem + 1000

	got, err := c.Get(ctxA, jobA)
	if err != nil || got.ID != jobA {
		t.Fatalf("A gets its own job: %v, %v", got, err)
	}
	// The same tenant spelled in upper case is the same tenant.
	if got, err := c.Get(as(strings.ToUpper(tenantA)), jobA); err != nil || got.ID != jobA {
		t.Fatalf("A in upper case gets its own job: %v, %v", got, err)
	}
	missingErr := func() error { _, err := c.Get(ctxA, missing); return err }()
	wantNotFound(t, "Get of a missing job", missingErr)
	for name, id := range map[string]int64{"B's job": jobB, "a system job": system,
		"B's job claiming A": forgedByB, "a system job claiming A": forgedBySystem} {
		_, getErr := c.Get(ctxA, id)
		wantNotFound(t, "A gets "+name, getErr)
		// No existence oracle: the answer is the missing job's, word for word.
		if getErr.Error() != missingErr.Error() {
			t.Fatalf("A gets %s: %q; a missing job: %q", name, getErr, missingErr)
		}
		_, cancelErr := c.Cancel(ctxA, id)
		wantNotFound(t, "A cancels "+name, cancelErr)
		_, retryErr := c.Retry(ctxA, id)
		wantNotFound(t, "A retries "+name, retryErr)
		row, err := c.River().JobGet(context.Background(), id)
		if err != nil || row.State != rivertype.JobStateAvailable {
			t.Fatalf("%s after A's calls: %v, %v; want it still available", name, row, err)
		}
	}
	if _, err := c.Cancel(ctxA, missing); errs.From(err).Code != connect.CodeNotFound || err.Error() != missingErr.Error() {
		t.Fatalf("Cancel of a missing job: %v", err)
	}

	// A cancels its own job, then retries it.
	cancelled, err := c.Cancel(ctxA, jobA)
	if err != nil || cancelled.ID != jobA || cancelled.State != rivertype.JobStateCancelled {
		t.Fatalf("A cancels its own job: %v, %v", cancelled, err)
	}
	if _, err := c.Retry(ctxB, jobA); errs.From(err).Code != connect.CodeNotFound {
		t.Fatalf("B retries A's cancelled job: %v", err)
	}
	if row, _ := c.River().JobGet(context.Background(), jobA); row.State != rivertype.JobStateCancelled {
		t.Fatalf("A's job after B's retry: %s; want still cancelled", row.State)
	}
	retried, err := c.Retry(ctxA, jobA)
	if err != nil || retried.State != rivertype.JobStateAvailable {
		t.Fatalf("A retries its own job: %v, %v", retried, err)
	}
	// B's own calls work on B's job.
	if got, err := c.Get(ctxB, jobB); err != nil || got.ID != jobB {
		t.Fatalf("B gets its own job: %v, %v", got, err)
	}
}

// TestWithoutTenantIsAnError checks that a ctx without a Principal, or whose Principal has
// no (valid) tenant, gets the errors of rls.InTenant from every call, never every tenant's
// jobs.
func TestWithoutTenantIsAnError(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.client(t, jobs.Config{PageTokenKey: testPageTokenKey})
	id := enqueueAs(t, as(uuid.NewString()), b, c, ProbeArgs{Note: "a"})
	enqueueSystem(t, b, c, ProbeArgs{Note: "system"})
	for _, tc := range []struct {
		name   string
		ctx    context.Context
		code   connect.Code
		reason string
	}{
		{"no principal", context.Background(), connect.CodeUnauthenticated, "NO_PRINCIPAL"},
		{"no tenant", identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "s"}), connect.CodeFailedPrecondition, "NO_TENANT"},
		{"tenant not a UUID", identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "s", TenantId: "acme"}), connect.CodeFailedPrecondition, "TENANT_ID_INVALID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check := func(call string, err error) {
				t.Helper()
				if d := errs.From(err); d.Code != tc.code || d.Reason != tc.reason {
					t.Fatalf("%s: %v; want %v %s", call, err, tc.code, tc.reason)
				}
			}
			_, err := c.Get(tc.ctx, id)
			check("Get", err)
			_, _, err = c.List(tc.ctx, nil, jobs.ListFilter{})
			check("List", err)
			_, err = c.Cancel(tc.ctx, id)
			check("Cancel", err)
			_, err = c.Retry(tc.ctx, id)
			check("Retry", err)
		})
	}
	if row, _ := c.River().JobGet(context.Background(), id); row.State != rivertype.JobStateAvailable {
		t.Fatalf("job after tenantless cancels: %s", row.State)
	}
}

// NoteArgs is a second kind, for List's kind filter.
type NoteArgs struct {
	N int `json:"n"`
}

func (NoteArgs) Kind() string { return "note" }

// TestListPagesTheTenantsJobs checks that List returns the tenant's jobs only (not another
// tenant's, not system jobs), in pages whose token leads to the next page and is empty on
// the last, in both orders and with filters; and that tokens are bound to their listing.
func TestListPagesTheTenantsJobs(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.client(t, jobs.Config{PageTokenKey: testPageTokenKey})
	tenantA, tenantB := uuid.NewString(), uuid.NewString()
	ctxA, ctxB := as(tenantA), as(tenantB)
	var mine, theirs []int64
	for i := range 5 {
		mine = append(mine, enqueueAs(t, ctxA, b, c, NoteArgs{N: i}))
		theirs = append(theirs, enqueueAs(t, ctxB, b, c, NoteArgs{N: i}))
		enqueueSystem(t, b, c, NoteArgs{N: i})
	}
	probe := enqueueAs(t, ctxA, b, c, ProbeArgs{Note: "other kind"})
	mine = append(mine, probe)

	listAll := func(ctx context.Context, size int32, filter jobs.ListFilter) []int64 {
		t.Helper()
		var ids []int64
		req := &commonv1.PageRequest{PageSize: size}
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatal("List never ends")
			}
			rows, resp, err := c.List(ctx, req, filter)
			if err != nil {
				t.Fatal(err)
			}
			if int32(len(rows)) > size {
				t.Fatalf("page of %d rows, page size %d", len(rows), size)
			}
			for _, r := range rows {
				ids = append(ids, r.ID)
			}
			if resp.GetNextPageToken() == "" {
				return ids
			}
			if int32(len(rows)) != size {
				t.Fatalf("a page of %d rows before the last, page size %d", len(rows), size)
			}
			req = &commonv1.PageRequest{PageSize: size, PageToken: resp.GetNextPageToken()}
		}
	}
	if got := listAll(ctxA, 2, jobs.ListFilter{}); !slices.Equal(got, mine) {
		t.Fatalf("A lists %v; want its own jobs %v", got, mine)
	}
	if got := listAll(ctxA, 3, jobs.ListFilter{}); !slices.Equal(got, mine) { // 6 jobs: exactly two full pages
		t.Fatalf("A lists %v in pages of 3; want %v", got, mine)
	}
	if got := listAll(ctxB, 100, jobs.ListFilter{}); !slices.Equal(got, theirs) {
		t.Fatalf("B lists %v; want its own jobs %v", got, theirs)
	}
	newest := slices.Clone(mine)
	slices.Reverse(newest)
	if got := listAll(ctxA, 4, jobs.ListFilter{Descending: true}); !slices.Equal(got, newest) {
		t.Fatalf("A lists newest first %v; want %v", got, newest)
	}
	if got := listAll(ctxA, 2, jobs.ListFilter{Kinds: []string{"probe"}}); !slices.Equal(got, []int64{probe}) {
		t.Fatalf("A lists kind probe: %v; want [%d]", got, probe)
	}
	if _, err := c.Cancel(ctxA, mine[0]); err != nil {
		t.Fatal(err)
	}
	cancelled := jobs.ListFilter{States: []rivertype.JobState{rivertype.JobStateCancelled}}
	if got := listAll(ctxA, 2, cancelled); !slices.Equal(got, mine[:1]) {
		t.Fatalf("A lists its cancelled jobs: %v; want [%d]", got, mine[0])
	}
	if got := listAll(ctxB, 2, cancelled); len(got) != 0 {
		t.Fatalf("B lists cancelled jobs: %v; want none (A's is A's)", got)
	}
	if got := listAll(ctxA, 50, jobs.ListFilter{Queues: []string{"elsewhere"}}); len(got) != 0 {
		t.Fatalf("A lists queue elsewhere: %v", got)
	}

	// A's page token is A's: B cannot use it, nor A with other filters or order.
	_, resp, err := c.List(ctxA, &commonv1.PageRequest{PageSize: 2}, jobs.ListFilter{})
	if err != nil || resp.GetNextPageToken() == "" {
		t.Fatalf("first page: %v, %v", resp, err)
	}
	tok := resp.GetNextPageToken()
	for name, call := range map[string]func() error{
		"B with A's token": func() error {
			_, _, err := c.List(ctxB, &commonv1.PageRequest{PageSize: 2, PageToken: tok}, jobs.ListFilter{})
			return err
		},
		"another order": func() error {
			_, _, err := c.List(ctxA, &commonv1.PageRequest{PageSize: 2, PageToken: tok}, jobs.ListFilter{Descending: true})
			return err
		},
		"another filter": func() error {
			_, _, err := c.List(ctxA, &commonv1.PageRequest{PageSize: 2, PageToken: tok}, jobs.ListFilter{Kinds: []string{"note"}})
			return err
		},
		"altered token": func() error {
			_, _, err := c.List(ctxA, &commonv1.PageRequest{PageSize: 2, PageToken: "x" + tok}, jobs.ListFilter{})
			return err
		},
	} {
		if d := errs.From(call()); d.Code != connect.CodeInvalidArgument || d.Reason != errs.ReasonPageTokenInvalid {
			t.Fatalf("%s: %v; want InvalidArgument %s", name, d.Message, errs.ReasonPageTokenInvalid)
		}
	}
	for _, size := range []int32{-1, jobs.MaxPageSize + 1} {
		_, _, err := c.List(ctxA, &commonv1.PageRequest{PageSize: size}, jobs.ListFilter{})
		if d := errs.From(err); d.Code != connect.CodeInvalidArgument || d.Reason != "PAGE_SIZE_INVALID" {
			t.Fatalf("page size %d: %v", size, err)
		}
	}
	if _, _, err := c.List(ctxA, nil, jobs.ListFilter{States: []rivertype.JobState{"bogus"}}); errs.From(err).Code != connect.CodeInvalidArgument {
		t.Fatalf("unknown state: %v", err)
	}
	// Without a page token key, List refuses rather than issue forgeable tokens.
	bare := b.client(t, jobs.Config{})
	if _, _, err := bare.List(ctxA, nil, jobs.ListFilter{}); errs.From(err).Code != connect.CodeFailedPrecondition {
		t.Fatalf("List without PageTokenKey: %v", err)
	}
}

// TestCancelRunningJobAsRiverDoes cancels a running job through the tenant API: another
// tenant's cancel leaves it running; the owner's cancel marks it for cancellation, River
// cancels the worker's ctx and the job ends cancelled, not retried.
func TestCancelRunningJobAsRiverDoes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	w := &blockWorker{started: make(chan int, 4), done: make(chan int, 4)}
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	c := b.client(t, jobs.Config{Workers: workers, RetryPolicy: retryNow{}})
	events, stop := c.River().Subscribe(river.EventKindJobCancelled, river.EventKindJobFailed, river.EventKindJobCompleted)
	defer stop()
	tenantA := uuid.NewString()
	ctxA, ctxB := as(tenantA), as(uuid.NewString())
	id := enqueueAs(t, ctxA, b, c, BlockArgs{})
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Stop(context.Background()) }()
	if r := wait(t, w.started); r != 1 {
		t.Fatalf("first run = %d", r)
	}

	if _, err := c.Cancel(ctxB, id); errs.From(err).Code != connect.CodeNotFound {
		t.Fatalf("B cancels A's running job: %v", err)
	}
	if row, _ := c.Get(ctxA, id); row.State != rivertype.JobStateRunning {
		t.Fatalf("after B's cancel: %s; want running", row.State)
	}
	row, err := c.Cancel(ctxA, id)
	if err != nil || row.State != rivertype.JobStateRunning {
		t.Fatalf("A cancels its running job: %v, %v; want it running, marked for cancellation", row, err)
	}
	ev := wait(t, events)
	if ev.Kind != river.EventKindJobCancelled || ev.Job.ID != id {
		t.Fatalf("event %s for job %d; want job %d cancelled", ev.Kind, ev.Job.ID, id)
	}
	got, err := c.Get(ctxA, id)
	if err != nil || got.State != rivertype.JobStateCancelled {
		t.Fatalf("after the worker returned: %v, %v; want cancelled", got, err)
	}
	select {
	case r := <-w.started:
		t.Fatalf("cancelled job ran again (run %d)", r)
	default:
	}
}
