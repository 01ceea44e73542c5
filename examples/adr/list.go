package adr

import (
	"context"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
	"github.com/footingdev/footing/storage/repo"
	"github.com/footingdev/footing/storage/rls"
)

// DefaultPageSize and MaxPageSize bound ListADRs pages. PageRequest allows up to 1000,
// but an ADR may hold 60,000 characters of text (up to MaxADRBytes): a page of 1000 of
// them was about 240 MB to read, hold and marshal per request, at a tenant's rate limit.
// A page of MaxPageSize holds at most MaxPageSize*MaxADRBytes (about 24 MB).
const (
	DefaultPageSize = 50
	MaxPageSize     = 100
)

// MaxADRBytes bounds an ADR's text in UTF-8 bytes, as the protos and the table's checks
// bound it in characters (4 bytes each at most): title, context, decision and
// consequences, superseded_by, tags.
const MaxADRBytes = 4 * (200 + 3*20000 + 36 + 20*32)

// ListADRs lists the tenant's ADRs newest first, by keyset pagination. Page tokens are
// storage/repo's: tamper-evident and bound to the tenant and the filters, so a token
// from another tenant or another filter is InvalidArgument (PAGE_TOKEN_INVALID).
func (s *Service) ListADRs(ctx context.Context, req *connect.Request[adrv1.ListADRsRequest]) (*connect.Response[adrv1.ListADRsResponse], error) {
	var filters []repo.Filter
	if status := req.Msg.GetStatus(); status != adrv1.Status_STATUS_UNSPECIFIED {
		filters = append(filters, repo.Eq("status", int16(status)))
	}
	if tag := req.Msg.GetTag(); tag != "" {
		if err := checkTagFilter(tag); err != nil {
			return nil, err
		}
		filters = append(filters, repo.Contains("tags", tag))
	}
	adrs, page, err := s.store.List(ctx, req.Msg.GetPage(), filters...)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&adrv1.ListADRsResponse{Adrs: adrs, Page: page}), nil
}

// List returns one page of the tenant's ADRs, newest first, that pass every filter.
func (s *Store) List(ctx context.Context, page *commonv1.PageRequest, filters ...repo.Filter) ([]*adrv1.ADR, *commonv1.PageResponse, error) {
	var (
		rows []record
		resp *commonv1.PageResponse
	)
	err := rls.InTenantWith(ctx, s.pool, rls.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		rows, resp, err = s.table.List(ctx, tx, page, filters...)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	out := make([]*adrv1.ADR, len(rows))
	for i, r := range rows {
		out[i] = fromRecord(r)
	}
	return out, resp, nil
}
