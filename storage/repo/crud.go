package repo

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/contracts/errs"
)

// Create inserts v and returns the row as stored (defaults filled in). The tenant column is
// footing_current_tenant() whatever v says, the version column 1, and DefaultedColumns with a
// zero value take the database default.
func (t *Table[T]) Create(ctx context.Context, db DBTX, v T) (T, error) {
	rv := reflect.ValueOf(&v).Elem()
	var cols, vals []string
	var args []any
	for _, c := range t.cols {
		switch c.name {
		case t.cfg.TenantColumn:
			cols, vals = append(cols, ident(c.name)), append(vals, "footing_current_tenant()")
		case t.cfg.VersionColumn:
			cols, vals = append(cols, ident(c.name)), append(vals, "1")
		default:
			f := field(rv, c)
			if f.IsZero() && slices.Contains(t.cfg.DefaultedColumns, c.name) {
				continue
			}
			args = append(args, f.Interface())
			cols, vals = append(cols, ident(c.name)), append(vals, fmt.Sprintf("$%d", len(args)))
		}
	}
	sql := "INSERT INTO " + ident(t.cfg.Table) + " (" + strings.Join(cols, ", ") + ") VALUES (" +
		strings.Join(vals, ", ") + ") RETURNING " + t.selectList
	return t.one(ctx, db, sql, args...)
}

func (t *Table[T]) one(ctx context.Context, db DBTX, sql string, args ...any) (T, error) {
	rows, err := db.Query(ctx, sql, args...)
	if err != nil {
		var zero T
		return zero, t.mapErr(err)
	}
	v, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[T])
	if err != nil {
		var zero T
		return zero, t.mapErr(err)
	}
	return v, nil
}

// GetSQL is the statement Get runs, with the id as $1.
func (t *Table[T]) GetSQL() string {
	return "SELECT " + t.selectList + " FROM " + ident(t.cfg.Table) + " WHERE " + ident(t.cfg.IDColumn) + " = $1"
}

// Get returns the row with id, or NotFound (<RESOURCE>_NOT_FOUND) — also when the row
// belongs to another tenant.
func (t *Table[T]) Get(ctx context.Context, db DBTX, id any) (T, error) {
	return t.one(ctx, db, t.GetSQL(), id)
}

// Update writes v's columns to the row with v's id if the row's version is still v's, and
// returns the row as stored, version incremented. A stale version gives Aborted
// (VERSION_CONFLICT: read again and retry); a missing row NotFound. The id, tenant, version
// and create_time columns are never changed.
func (t *Table[T]) Update(ctx context.Context, db DBTX, v T) (T, error) {
	rv := reflect.ValueOf(&v).Elem()
	var sets []string
	var args []any
	for _, c := range t.cols {
		switch c.name {
		case t.cfg.IDColumn, t.cfg.TenantColumn, t.cfg.VersionColumn, "create_time":
			continue
		case t.cfg.UpdateTimeColumn:
			sets = append(sets, ident(c.name)+" = now()")
			continue
		}
		args = append(args, field(rv, c).Interface())
		sets = append(sets, fmt.Sprintf("%s = $%d", ident(c.name), len(args)))
	}
	ver := ident(t.cfg.VersionColumn)
	sets = append(sets, ver+" = "+ver+" + 1")
	id := field(rv, t.byName[t.cfg.IDColumn]).Interface()
	args = append(args, id, field(rv, t.byName[t.cfg.VersionColumn]).Interface())
	sql := fmt.Sprintf("UPDATE %s SET %s WHERE %s = $%d AND %s = $%d RETURNING %s",
		ident(t.cfg.Table), strings.Join(sets, ", "), ident(t.cfg.IDColumn), len(args)-1, ver, len(args), t.selectList)
	out, err := t.one(ctx, db, sql, args...)
	if err == nil || errs.From(err).Reason != t.notFound {
		return out, err
	}
	// No row matched: missing (or another tenant's), or a stale version?
	return out, t.missingOrStale(ctx, db, id)
}

// missingOrStale tells, after a version-checked statement matched no row, whether the row
// with id is missing (or another tenant's: NotFound) or has another version (Aborted).
func (t *Table[T]) missingOrStale(ctx context.Context, db DBTX, id any) error {
	var exists bool
	if err := db.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+ident(t.cfg.Table)+" WHERE "+ident(t.cfg.IDColumn)+" = $1)", id).Scan(&exists); err != nil {
		return t.mapErr(err)
	}
	if exists {
		return errs.Aborted("VERSION_CONFLICT", t.cfg.Resource+" was changed by someone else; read it again", errs.WithDomain(domain))
	}
	return t.errNotFound()
}

// Delete removes the row with id, or returns NotFound.
func (t *Table[T]) Delete(ctx context.Context, db DBTX, id any) error {
	tag, err := db.Exec(ctx, "DELETE FROM "+ident(t.cfg.Table)+" WHERE "+ident(t.cfg.IDColumn)+" = $1", id)
	if err != nil {
		return t.mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		return t.errNotFound()
	}
	return nil
}

// DeleteVersion removes the row with id if its version is still version, and returns the row
// as it was. Like [Table.Update], a stale version gives Aborted (VERSION_CONFLICT: read again
// and retry) and a missing row — or another tenant's — NotFound.
func (t *Table[T]) DeleteVersion(ctx context.Context, db DBTX, id any, version int64) (T, error) {
	sql := "DELETE FROM " + ident(t.cfg.Table) + " WHERE " + ident(t.cfg.IDColumn) + " = $1 AND " +
		ident(t.cfg.VersionColumn) + " = $2 RETURNING " + t.selectList
	out, err := t.one(ctx, db, sql, id, version)
	if err == nil || errs.From(err).Reason != t.notFound {
		return out, err
	}
	return out, t.missingOrStale(ctx, db, id)
}
