package repo_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/storage/repo"
	"github.com/footingdev/footing/storage/rls"
)

// queries is what sqlc generates for pgx/v5: a struct over a DBTX.
type queries struct{ db repo.DBTX }

func newQueries(db repo.DBTX) *queries { return &queries{db: db} }

const countNotes = `-- name: CountNotes :one
SELECT count(*), footing_current_tenant()::text FROM notes`

func (q *queries) CountNotes(ctx context.Context) (count int64, tenant *string, err error) {
	err = q.db.QueryRow(ctx, countNotes).Scan(&count, &tenant)
	return count, tenant, err
}

// TestSQLCQueriesShareTheTenantTransaction shows sqlc-style queries and a repo Table
// running in one rls.InTenant transaction: both see the tenant and each other's writes.
func TestSQLCQueriesShareTheTenantTransaction(t *testing.T) {
	t.Parallel()
	r, db := newRepo(t, repo.Config{})
	tenant := uuid.NewString()
	ctx := as(tenant)
	if _, err := r.Create(as(uuid.NewString()), Note{Title: "someone else's"}); err != nil {
		t.Fatal(err)
	}
	err := rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
		if _, err := r.Table.Create(ctx, tx, Note{Title: "uncommitted"}); err != nil {
			return err
		}
		n, seen, err := newQueries(tx).CountNotes(ctx)
		if err != nil {
			return err
		}
		if n != 1 || seen == nil || *seen != tenant {
			t.Errorf("sqlc query in the tx: %d notes, tenant %v; want 1 and %s", n, seen, tenant)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n, seen, err := newQueries(db.App).CountNotes(context.Background())
	if err != nil || n != 0 || seen != nil {
		t.Fatalf("sqlc query outside a tenant tx: %d notes, tenant %v, %v; want 0, none", n, seen, err)
	}
}
