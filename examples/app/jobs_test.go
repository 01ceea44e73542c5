package app_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/riverqueue/river/rivertype"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/examples/adr"
	"github.com/footingdev/footing/examples/app"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
	"github.com/footingdev/footing/storage/jobs"
)

// inTenant is a context carrying a Principal of tenant, as the auth interceptor makes one.
func inTenant(tenant string) context.Context {
	return identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "user-" + tenant[:8], TenantId: tenant})
}

// createADRs creates n ADRs as tenant (each enqueues a render job) and returns their ids.
func createADRs(t *testing.T, h *harness, tenant string, n int) []string {
	t.Helper()
	c := h.client(protocols[0].opt, h.token(tenant, app.ScopeRead, app.ScopeWrite))
	var ids []string
	for range n {
		res, err := c.CreateADR(context.Background(), connect.NewRequest(&adrv1.CreateADRRequest{Adr: newADR("jobs " + tenant[:8])}))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.Msg.GetAdr().GetId())
	}
	return ids
}

// renderedIDs are the ADR ids of render jobs.
func renderedIDs(t *testing.T, rows []*rivertype.JobRow) []string {
	t.Helper()
	var ids []string
	for _, j := range rows {
		var args adr.RenderArgs
		if err := json.Unmarshal(j.EncodedArgs, &args); err != nil {
			t.Fatalf("job %d args %s: %v", j.ID, j.EncodedArgs, err)
		}
		ids = append(ids, args.ID)
	}
	return ids
}

// TestJobsListIsTenantScoped: the app's jobs client lists jobs (it has a page-token key),
// and a tenant sees the render jobs of its own ADRs only.
func TestJobsListIsTenantScoped(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	ta, tb := uuid.NewString(), uuid.NewString()
	mine := createADRs(t, h, ta, 2)
	theirs := createADRs(t, h, tb, 1)

	rows, page, err := h.app.JobsClient().List(inTenant(ta), nil, jobs.ListFilter{Kinds: []string{adr.RenderArgs{}.Kind()}})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	got := renderedIDs(t, rows)
	slices.Sort(got)
	slices.Sort(mine)
	if !slices.Equal(got, mine) || page.GetNextPageToken() != "" {
		t.Fatalf("tenant A listed render jobs of %v (next %q), want its own %v (B's: %v)", got, page.GetNextPageToken(), mine, theirs)
	}

	// Paging: one job a page, and the token brings the other one.
	first, page, err := h.app.JobsClient().List(inTenant(ta), &commonv1.PageRequest{PageSize: 1}, jobs.ListFilter{})
	if err != nil || len(first) != 1 || page.GetNextPageToken() == "" {
		t.Fatalf("first page: %d jobs, next %q, %v", len(first), page.GetNextPageToken(), err)
	}
	second, page, err := h.app.JobsClient().List(inTenant(ta), &commonv1.PageRequest{PageSize: 1, PageToken: page.GetNextPageToken()}, jobs.ListFilter{})
	if err != nil || len(second) != 1 || page.GetNextPageToken() != "" {
		t.Fatalf("second page: %d jobs, next %q, %v", len(second), page.GetNextPageToken(), err)
	}
	if got := renderedIDs(t, append(first, second...)); !slices.Equal(slices.Sorted(slices.Values(got)), mine) {
		t.Fatalf("paged through %v, want %v", got, mine)
	}
}

// TestJobsAndADRPageTokensAreNotInterchangeable: both listings' page tokens are keyed by
// PAGE_TOKEN_KEY, the jobs list's with a key derived from it for that use alone, so a
// token of one listing fails the other's signature check: InvalidArgument
// PAGE_TOKEN_INVALID, "not valid" (with one key for both, the signature would pass and
// only the token's content would be refused).
func TestJobsAndADRPageTokensAreNotInterchangeable(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	tenant := uuid.NewString()
	createADRs(t, h, tenant, 2)
	ctx := inTenant(tenant)
	c := h.client(protocols[0].opt, h.token(tenant, app.ScopeRead))

	adrPage, err := c.ListADRs(context.Background(), connect.NewRequest(&adrv1.ListADRsRequest{Page: &commonv1.PageRequest{PageSize: 1}}))
	if err != nil || adrPage.Msg.GetPage().GetNextPageToken() == "" {
		t.Fatalf("ListADRs: %v", err)
	}
	adrToken := adrPage.Msg.GetPage().GetNextPageToken()
	_, jobsPage, err := h.app.JobsClient().List(ctx, &commonv1.PageRequest{PageSize: 1}, jobs.ListFilter{})
	if err != nil || jobsPage.GetNextPageToken() == "" {
		t.Fatalf("jobs List: %v", err)
	}
	jobsToken := jobsPage.GetNextPageToken()

	refused := func(what string, err error) {
		t.Helper()
		d := errs.From(err)
		if d.Code != connect.CodeInvalidArgument || d.Reason != errs.ReasonPageTokenInvalid {
			t.Fatalf("%s: got %v %q (%v), want InvalidArgument %s", what, d.Code, d.Reason, err, errs.ReasonPageTokenInvalid)
		}
		if !strings.Contains(d.Message, "not valid") {
			t.Fatalf("%s: %q: want the signature check to refuse it (keys not separated?)", what, d.Message)
		}
	}
	res, err := c.ListADRs(context.Background(), connect.NewRequest(&adrv1.ListADRsRequest{Page: &commonv1.PageRequest{PageSize: 1, PageToken: jobsToken}}))
	refused("ListADRs with a jobs page token", err)
	if err == nil {
		t.Fatalf("ListADRs accepted a jobs page token: %v", res.Msg.GetAdrs())
	}
	rows, _, err := h.app.JobsClient().List(ctx, &commonv1.PageRequest{PageSize: 1, PageToken: adrToken}, jobs.ListFilter{})
	refused("jobs List with an ADR page token", err)
	if err == nil {
		t.Fatalf("jobs List accepted an ADR page token: %d jobs", len(rows))
	}

	// Each token still works where it came from.
	if _, err := c.ListADRs(context.Background(), connect.NewRequest(&adrv1.ListADRsRequest{Page: &commonv1.PageRequest{PageSize: 1, PageToken: adrToken}})); err != nil {
		t.Fatalf("ListADRs with its own token: %v", err)
	}
	if _, _, err := h.app.JobsClient().List(ctx, &commonv1.PageRequest{PageSize: 1, PageToken: jobsToken}, jobs.ListFilter{}); err != nil {
		t.Fatalf("jobs List with its own token: %v", err)
	}
}
