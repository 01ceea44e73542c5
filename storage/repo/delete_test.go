package repo_test

import (
	"errors"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/storage/repo"
	"github.com/footingdev/footing/storage/rls"
)

var errRollback = errors.New("roll back")

func TestDeleteVersion(t *testing.T) {
	t.Parallel()
	r, db := newRepo(t, repo.Config{})
	a, b := as(uuid.NewString()), as(uuid.NewString())
	n, err := r.Create(a, Note{Title: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	n.Title = "v2"
	n2, err := r.Update(a, n)
	if err != nil {
		t.Fatal(err)
	}
	exists := func(t *testing.T) {
		t.Helper()
		if got, err := r.Get(a, n.ID); err != nil || got != n2 {
			t.Fatalf("row after a refused delete = %+v, %v; want %+v", got, err, n2)
		}
	}

	t.Run("stale version", func(t *testing.T) {
		_, err := r.DeleteVersion(a, n.ID, 1)
		wantErr(t, err, connect.CodeAborted, "VERSION_CONFLICT")
		exists(t)
	})
	t.Run("future version", func(t *testing.T) {
		_, err := r.DeleteVersion(a, n.ID, 3)
		wantErr(t, err, connect.CodeAborted, "VERSION_CONFLICT")
		exists(t)
	})
	t.Run("other tenant", func(t *testing.T) {
		// RLS hides the row: NotFound, not a conflict, whatever the version.
		for _, v := range []int64{1, 2} {
			_, err := r.DeleteVersion(b, n.ID, v)
			wantErr(t, err, connect.CodeNotFound, "NOTE_NOT_FOUND")
		}
		exists(t)
	})
	t.Run("missing", func(t *testing.T) {
		_, err := r.DeleteVersion(a, n.ID+1_000_000, 1)
		wantErr(t, err, connect.CodeNotFound, "NOTE_NOT_FOUND")
	})
	t.Run("in a transaction", func(t *testing.T) {
		// Table.DeleteVersion on the caller's transaction: rolled back, the row stays.
		err := rls.InTenant(a, db.App, func(tx pgx.Tx) error {
			if _, err := r.Table.DeleteVersion(a, tx, n.ID, 2); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("delete in a transaction: %v; want it deleted, then rolled back", err)
		}
		exists(t)
	})

	old, err := r.DeleteVersion(a, n.ID, 2)
	if err != nil || old != n2 {
		t.Fatalf("DeleteVersion = %+v, %v; want the deleted row %+v", old, err, n2)
	}
	_, err = r.Get(a, n.ID)
	wantErr(t, err, connect.CodeNotFound, "NOTE_NOT_FOUND")
	_, err = r.DeleteVersion(a, n.ID, 2)
	wantErr(t, err, connect.CodeNotFound, "NOTE_NOT_FOUND")
}
