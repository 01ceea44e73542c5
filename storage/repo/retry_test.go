package repo_test

import (
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/storage/repo"
	"github.com/footingdev/footing/storage/rls"
)

// TestSerializationFailureIsAbortedAndRetried provokes a real 40001 (a repeatable-read
// transaction updating a row another transaction changed after its snapshot) and shows it
// mapped to Aborted, then retried away by rls.TxOptions.Retries.
func TestSerializationFailureIsAbortedAndRetried(t *testing.T) {
	t.Parallel()
	r, db := newRepo(t, repo.Config{})
	ctx := as(uuid.NewString())
	n, err := r.Create(ctx, Note{Title: "contended"})
	if err != nil {
		t.Fatal(err)
	}
	attempts := 0
	run := func(retries int) error {
		attempts = 0
		return rls.InTenantWith(ctx, db.App, rls.TxOptions{IsoLevel: pgx.RepeatableRead, Retries: retries}, func(tx pgx.Tx) error {
			attempts++
			cur, err := r.Table.Get(ctx, tx, n.ID) // takes the snapshot
			if err != nil {
				return err
			}
			if attempts == 1 { // someone else commits a change meanwhile
				if _, err := r.Update(ctx, cur); err != nil {
					return err
				}
			}
			cur.Title = "mine"
			_, err = r.Table.Update(ctx, tx, cur)
			return err
		})
	}
	wantErr(t, run(0), connect.CodeAborted, "SERIALIZATION_FAILURE")
	if err := run(1); err != nil || attempts != 2 {
		t.Fatalf("with a retry: %v after %d attempts; want success on the 2nd", err, attempts)
	}
	got, err := r.Get(ctx, n.ID)
	if err != nil || got.Title != "mine" {
		t.Fatalf("final row %+v, %v", got, err)
	}
}
