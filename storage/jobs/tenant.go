package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/storage/pg"
	"github.com/footingdev/footing/storage/rls"
)

// ReasonJobNotFound is the reason of the NotFound error of [Client.Get], [Client.Cancel]
// and [Client.Retry]: for a job that does not exist and, word for word, for a job of
// another tenant or a job enqueued without a tenant.
const ReasonJobNotFound = "JOB_NOT_FOUND"

func errJobNotFound() error {
	return errs.NotFound(ReasonJobNotFound, "job not found", errs.WithDomain(pg.Domain))
}

// tenantOf returns the canonical tenant of ctx's Principal, or the error rls.InTenant
// would return: Unauthenticated (NO_PRINCIPAL) without a Principal, FailedPrecondition
// (NO_TENANT, TENANT_ID_INVALID) without a valid tenant. There is no "every tenant".
func tenantOf(ctx context.Context) (string, error) {
	scope, err := rls.ScopeFrom(ctx)
	if err != nil {
		return "", err
	}
	return scope.TenantID, nil
}

// tenantFilter is the JSON a job's metadata contains (jsonb @>, served by River's GIN index
// on river_job.metadata) when it was enqueued under tenant.
func tenantFilter(tenant string) string {
	b, _ := json.Marshal(map[string]map[string]string{metadataKey: {"tenant": tenant}})
	return string(b)
}

// Get returns the job id of ctx's tenant. A job of another tenant, or one enqueued without
// a tenant (periodic and system jobs), is NotFound ([ReasonJobNotFound]) exactly as a job
// that does not exist. Without a tenant in ctx it returns rls.InTenant's error.
func (c *Client) Get(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	return c.get(ctx, tenant, id)
}

// get looks the job up with the tenant in the query, so that another tenant's job and a
// missing one take the same path to the same answer.
func (c *Client) get(ctx context.Context, tenant string, id int64) (*rivertype.JobRow, error) {
	res, err := c.river.JobList(ctx, river.NewJobListParams().IDs(id).Metadata(tenantFilter(tenant)).First(1))
	if err != nil {
		return nil, pg.MapError(err)
	}
	if len(res.Jobs) == 0 {
		return nil, errJobNotFound()
	}
	return res.Jobs[0], nil
}

// Cancel cancels the job id of ctx's tenant as River's JobCancel does: a job waiting to
// run is cancelled at once; a running job is marked for cancellation (the row returned is
// still running), its worker's ctx is cancelled and, when the worker returns an error, it
// ends cancelled, not retried; a finished job is left as it is. Another tenant's job, a job
// without a tenant and a missing job are NotFound, as in [Client.Get].
func (c *Client) Cancel(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return c.act(ctx, id, c.river.JobCancel)
}

// Retry makes the job id of ctx's tenant available to run at once, as River's JobRetry
// does (a running job is left alone; a job out of attempts gets one more). Another
// tenant's job, a job without a tenant and a missing job are NotFound, as in [Client.Get].
func (c *Client) Retry(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return c.act(ctx, id, c.river.JobRetry)
}

// act checks that job id is ctx's tenant's, then applies do to it. A job's tenant is
// fixed when it is inserted (the insert middleware writes the metadata's footing key;
// River only adds keys of its own), so the check holds when do runs.
func (c *Client) act(ctx context.Context, id int64, do func(context.Context, int64) (*rivertype.JobRow, error)) (*rivertype.JobRow, error) {
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := c.get(ctx, tenant, id); err != nil {
		return nil, err
	}
	job, err := do(ctx, id)
	if errors.Is(err, rivertype.ErrNotFound) { // deleted since the check
		return nil, errJobNotFound()
	}
	if err != nil {
		return nil, pg.MapError(err)
	}
	return job, nil
}

// A ListFilter narrows [Client.List]. The zero value lists every job of the tenant, oldest
// first.
type ListFilter struct {
	// Kinds, Queues and States keep jobs of one of the given kinds, queues, states; empty
	// means any.
	Kinds  []string
	Queues []string
	States []rivertype.JobState
	// Descending lists newest first (by job id); otherwise oldest first.
	Descending bool
}

// List returns one page of ctx's tenant's jobs, in job id order, and the token of the next
// page (empty on the last). Jobs of other tenants and jobs enqueued without a tenant are
// never listed; without a tenant in ctx it returns rls.InTenant's error. page may be nil;
// its page_size 0 means [DefaultPageSize], and below 0 or above [MaxPageSize] is
// InvalidArgument (PAGE_SIZE_INVALID). A page_token must come from the same listing
// (tenant, filter) or List returns InvalidArgument (PAGE_TOKEN_INVALID). Pages are keyset
// pages (River's JobListParams.After on the job id): a job enqueued while paging appears on
// a later page if its id sorts there. List needs [Config.PageTokenKey]: without it, it is
// FailedPrecondition (JOBS_PAGE_TOKEN_KEY_MISSING).
func (c *Client) List(ctx context.Context, page *commonv1.PageRequest, filter ListFilter) ([]*rivertype.JobRow, *commonv1.PageResponse, error) {
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, nil, err
	}
	key := c.cfg.PageTokenKey
	if len(key) == 0 {
		return nil, nil, errs.FailedPrecondition("JOBS_PAGE_TOKEN_KEY_MISSING",
			"jobs: List needs Config.PageTokenKey to sign its page tokens", errs.WithDomain(pg.Domain))
	}
	size := page.GetPageSize()
	switch {
	case size == 0:
		size = DefaultPageSize
	case size < 0 || size > MaxPageSize:
		return nil, nil, errs.InvalidArgument("PAGE_SIZE_INVALID", fmt.Sprintf("page_size must be between 0 and %d", MaxPageSize),
			errs.WithDomain(pg.Domain), errs.WithFieldViolation("page_size", "out of range", "PAGE_SIZE_INVALID"))
	}
	known := rivertype.JobStates()
	for _, s := range filter.States {
		if !slices.Contains(known, s) {
			return nil, nil, errs.InvalidArgument("JOBS_FILTER_INVALID", "unknown job state in the filter",
				errs.WithDomain(pg.Domain), errs.WithFieldViolation("States", "unknown job state", "INVALID"))
		}
	}
	listing := listingID(tenant, filter)

	// Only footing's own predicates go into River's params: River joins Where predicates
	// with AND without parentheses, so a caller's "a OR b" would undo the tenant filter.
	params := river.NewJobListParams().Metadata(tenantFilter(tenant)).First(int(size) + 1)
	if len(filter.Kinds) > 0 {
		params = params.Kinds(filter.Kinds...)
	}
	if len(filter.Queues) > 0 {
		params = params.Queues(filter.Queues...)
	}
	if len(filter.States) > 0 {
		params = params.States(filter.States...)
	}
	if filter.Descending {
		params = params.OrderBy(river.JobListOrderByID, river.SortOrderDesc)
	}
	if tok := page.GetPageToken(); tok != "" {
		cur, err := decodePageToken(key, tok, listing)
		if err != nil {
			return nil, nil, err
		}
		// Ordered by id alone, River's cursor is the job id.
		params = params.After(river.JobListCursorFromJob(&rivertype.JobRow{ID: cur.After}))
	}
	res, err := c.river.JobList(ctx, params)
	if err != nil {
		return nil, nil, pg.MapError(err)
	}
	jobs := res.Jobs
	resp := &commonv1.PageResponse{}
	if len(jobs) > int(size) {
		jobs = jobs[:size]
		if resp.NextPageToken, err = encodePageToken(key, pageCursor{Listing: listing, After: jobs[len(jobs)-1].ID}); err != nil {
			return nil, nil, err
		}
	}
	return jobs, resp, nil
}
