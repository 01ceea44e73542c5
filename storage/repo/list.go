package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
)

// A Filter narrows a List to rows whose column equals a value.
type Filter struct {
	Column string
	Value  any
}

// Eq returns the [Filter] column = value.
func Eq(column string, value any) Filter { return Filter{Column: column, Value: value} }

// List returns one page of rows in (OrderColumn, IDColumn) order, filtered by filters, and
// the token for the next page (empty on the last). A page_token must come from the same
// listing (table, tenant, filters) or List returns InvalidArgument (PAGE_TOKEN_INVALID).
// page_size 0 means DefaultPageSize; above MaxPageSize is InvalidArgument.
func (t *Table[T]) List(ctx context.Context, db DBTX, req *commonv1.PageRequest, filters ...Filter) ([]T, *commonv1.PageResponse, error) {
	size := req.GetPageSize()
	switch {
	case size == 0:
		size = t.cfg.DefaultPageSize
	case size < 0 || size > t.cfg.MaxPageSize:
		return nil, nil, errs.InvalidArgument("PAGE_SIZE_INVALID", fmt.Sprintf("page_size must be between 0 and %d", t.cfg.MaxPageSize),
			errs.WithDomain(domain), errs.WithFieldViolation("page_size", "out of range", "PAGE_SIZE_INVALID"))
	}
	tenant, _ := identity.TenantID(ctx)
	parts := []string{t.cfg.Table, tenant, t.cfg.OrderColumn, fmt.Sprint(t.cfg.Descending)}
	var where []string
	var args []any
	for _, f := range filters {
		if _, ok := t.byName[f.Column]; !ok {
			return nil, nil, errs.InvalidArgument("FILTER_INVALID", "no such column to filter on", errs.WithDomain(domain),
				errs.WithFieldViolation("filter", "unknown column "+f.Column, "FILTER_INVALID"))
		}
		args = append(args, f.Value)
		where = append(where, fmt.Sprintf("%s = $%d", ident(f.Column), len(args)))
		b, _ := json.Marshal(f.Value)
		parts = append(parts, f.Column, string(b))
	}
	listing := listingID(parts...)

	keyCols := []column{t.byName[t.cfg.OrderColumn]}
	if t.cfg.OrderColumn != t.cfg.IDColumn {
		keyCols = append(keyCols, t.byName[t.cfg.IDColumn])
	}
	if tok := req.GetPageToken(); tok != "" {
		c, err := decodeToken(t.cfg.TokenKey, tok, listing, len(keyCols))
		if err != nil {
			return nil, nil, err
		}
		var lhs, rhs []string
		for i, kc := range keyCols {
			p := reflect.New(kc.typ)
			if err := json.Unmarshal(c.Keys[i], p.Interface()); err != nil {
				return nil, nil, errToken("malformed")
			}
			args = append(args, p.Elem().Interface())
			lhs, rhs = append(lhs, ident(kc.name)), append(rhs, fmt.Sprintf("$%d", len(args)))
		}
		op := ">"
		if t.cfg.Descending {
			op = "<"
		}
		where = append(where, "("+strings.Join(lhs, ", ")+") "+op+" ("+strings.Join(rhs, ", ")+")")
	}
	dir := " ASC"
	if t.cfg.Descending {
		dir = " DESC"
	}
	var order []string
	for _, kc := range keyCols {
		order = append(order, ident(kc.name)+dir)
	}
	sql := "SELECT " + t.selectList + " FROM " + ident(t.cfg.Table)
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += " ORDER BY " + strings.Join(order, ", ") + fmt.Sprintf(" LIMIT %d", size+1)
	rows, err := db.Query(ctx, sql, args...)
	if err != nil {
		return nil, nil, t.mapErr(err)
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[T])
	if err != nil {
		return nil, nil, t.mapErr(err)
	}
	resp := &commonv1.PageResponse{}
	if len(items) > int(size) {
		items = items[:size]
		last := reflect.ValueOf(&items[len(items)-1]).Elem()
		c := cursor{Listing: listing}
		for _, kc := range keyCols {
			b, err := json.Marshal(field(last, kc).Interface())
			if err != nil {
				return nil, nil, errs.Internal(err)
			}
			c.Keys = append(c.Keys, b)
		}
		if resp.NextPageToken, err = encodeToken(t.cfg.TokenKey, c); err != nil {
			return nil, nil, err
		}
	}
	return items, resp, nil
}
