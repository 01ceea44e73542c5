package adr

import (
	"context"
	"strconv"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	adrv1 "github.com/footingdev/footing/examples/gen/go/footing/examples/adr/v1"
	"github.com/footingdev/footing/storage/rls"
)

// DefaultPageSize and MaxPageSize bound ListADRs pages (PageRequest documents 1000).
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
)

// ListADRs lists the tenant's ADRs newest first, by keyset pagination.
func (s *Service) ListADRs(ctx context.Context, req *connect.Request[adrv1.ListADRsRequest]) (*connect.Response[adrv1.ListADRsResponse], error) {
	tenant, _ := identity.TenantID(ctx)
	status, tag := req.Msg.GetStatus(), req.Msg.GetTag()
	scope := tenant + "\x00" + strconv.Itoa(int(status)) + "\x00" + tag
	size := int(req.Msg.GetPage().GetPageSize())
	if size <= 0 {
		size = DefaultPageSize
	}
	size = min(size, MaxPageSize)

	var after *cursor
	if t := req.Msg.GetPage().GetPageToken(); t != "" {
		c, err := s.pages.decode(t, scope)
		if err != nil {
			return nil, invalidToken()
		}
		after = &c
	}
	adrs, err := s.store.List(ctx, listQuery{status: status, tag: tag, after: after, limit: size + 1})
	if err != nil {
		return nil, err
	}
	res := &adrv1.ListADRsResponse{Page: &commonv1.PageResponse{}}
	if len(adrs) > size {
		adrs = adrs[:size]
		last := adrs[size-1]
		id, _ := uuid.Parse(last.GetId())
		res.Page.NextPageToken = s.pages.encode(cursor{createTime: last.GetCreateTime().AsTime(), id: id}, scope)
	}
	res.Adrs = adrs
	return connect.NewResponse(res), nil
}

type listQuery struct {
	status adrv1.Status
	tag    string
	after  *cursor
	limit  int
}

// List returns up to q.limit ADRs after q.after, newest first.
func (s *Store) List(ctx context.Context, q listQuery) ([]*adrv1.ADR, error) {
	sql := `SELECT ` + columns + ` FROM adrs WHERE ($1 = 0 OR status = $1) AND ($2 = '' OR tags @> ARRAY[$2])`
	args := []any{int16(q.status), q.tag}
	if q.after != nil {
		sql += ` AND (create_time, id) < ($3, $4)`
		args = append(args, q.after.createTime, q.after.id)
	}
	sql += ` ORDER BY create_time DESC, id DESC LIMIT ` + strconv.Itoa(q.limit)
	var out []*adrv1.ADR
	err := rls.InTenant(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return mapError(err)
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanADR(rows)
			if err != nil {
				return mapError(err)
			}
			out = append(out, a)
		}
		return mapError(rows.Err())
	})
	return out, err
}
