package repo

import (
	"context"

	"github.com/jackc/pgx/v5"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/storage/rls"
)

// A Pool is what a [Repo] runs on: [*pgxpool.Pool] is one.
type Pool interface {
	rls.Beginner
	rls.BatchSender
}

// A Repo is a [Table] bound to a pool: each call runs in its own tenant-scoped transaction
// for the Principal in ctx (see rls.InTenant). Use the Table inside rls.InTenant instead to
// put several calls in one transaction.
type Repo[T any] struct {
	*Table[T]
	db Pool
}

// New returns a [Repo] for rows of type T on db (connected as rls.AppRole).
func New[T any](db Pool, cfg Config) (*Repo[T], error) {
	t, err := NewTable[T](cfg)
	if err != nil {
		return nil, err
	}
	return &Repo[T]{Table: t, db: db}, nil
}

// Create is [Table.Create] in its own tenant transaction.
func (r *Repo[T]) Create(ctx context.Context, v T) (out T, err error) {
	err = rls.InTenant(ctx, r.db, func(tx pgx.Tx) error {
		out, err = r.Table.Create(ctx, tx, v)
		return err
	})
	return out, err
}

// Get is [Table.Get] in one round trip: the tenant scope and the select go out as one
// pipelined batch (rls.InTenantBatch).
func (r *Repo[T]) Get(ctx context.Context, id any) (T, error) {
	var out T
	var qerr error
	b := &pgx.Batch{}
	b.Queue(r.GetSQL(), id).Query(func(rows pgx.Rows) error {
		out, qerr = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[T])
		return nil
	})
	if err := rls.InTenantBatch(ctx, r.db, b); err != nil {
		return out, err
	}
	if qerr != nil {
		return out, r.mapErr(qerr)
	}
	return out, nil
}

// List is [Table.List] in its own read-only tenant transaction.
func (r *Repo[T]) List(ctx context.Context, req *commonv1.PageRequest, filters ...Filter) (items []T, resp *commonv1.PageResponse, err error) {
	err = rls.InTenantWith(ctx, r.db, rls.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		items, resp, err = r.Table.List(ctx, tx, req, filters...)
		return err
	})
	return items, resp, err
}

// Update is [Table.Update] in its own tenant transaction.
func (r *Repo[T]) Update(ctx context.Context, v T) (out T, err error) {
	err = rls.InTenant(ctx, r.db, func(tx pgx.Tx) error {
		out, err = r.Table.Update(ctx, tx, v)
		return err
	})
	return out, err
}

// Delete is [Table.Delete] in its own tenant transaction.
func (r *Repo[T]) Delete(ctx context.Context, id any) error {
	return rls.InTenant(ctx, r.db, func(tx pgx.Tx) error { return r.Table.Delete(ctx, tx, id) })
}

// DeleteVersion is [Table.DeleteVersion] in its own tenant transaction.
func (r *Repo[T]) DeleteVersion(ctx context.Context, id any, version int64) (out T, err error) {
	err = rls.InTenant(ctx, r.db, func(tx pgx.Tx) error {
		out, err = r.Table.DeleteVersion(ctx, tx, id, version)
		return err
	})
	return out, err
}
