package migrate_test

import (
	"context"
	"testing"
	"testing/fstest"
	"time"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/migrate"
	"github.com/footingdev/footing/storage/pgtest"
)

// TestCancelledUpRecordsWhatItApplied: an Up whose context ends part way (a deploy's
// deadline, an interrupt) has applied the migrations before the one it was in; their
// checksums must be on record all the same, or a later edit of one of them — the
// natural reaction to a "failed" migration run — is taken at the next Up as the file
// that ran, recorded, and never refused (MIGRATION_CHANGED), while the database holds
// the old version of it.
func TestCancelledUpRecordsWhatItApplied(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	// The test holds the advisory lock the second migration waits for, so that the
	// context is cancelled while that migration runs, after the first has committed.
	const lockID = 724_301
	holder, err := db.Owner.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Release()
	if _, err := holder.Exec(context.Background(), "SELECT pg_advisory_lock($1)", lockID); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = holder.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", lockID) }()

	widgets := sqlFile("CREATE TABLE widgets (id bigint);", "DROP TABLE widgets;")
	files := fstest.MapFS{
		"20260101000000_widgets.sql": widgets,
		"20260102000000_gadgets.sql": sqlFile("SELECT pg_advisory_xact_lock(724301);\nCREATE TABLE gadgets (id bigint);", "DROP TABLE gadgets;"),
	}
	m, err := migrate.New(db.Owner, migrate.Config{Migrations: files, SkipRiver: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Up(ctx) }()
	// Cancel once the second migration waits for the lock.
	for waiting := false; !waiting; {
		if err := db.Owner.QueryRow(context.Background(),
			"SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted)", lockID).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			t.Fatalf("Up ended before the second migration waited: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("Up succeeded though its context was cancelled in the second migration")
	}
	var applied bool
	if err := db.Owner.QueryRow(context.Background(),
		"SELECT EXISTS (SELECT 1 FROM goose_db_version WHERE version_id = 20260101000000 AND is_applied)").Scan(&applied); err != nil || !applied {
		t.Fatalf("first migration applied: %v, %v; the test needs it applied", applied, err)
	}

	// The first migration's file is edited afterwards: Up must refuse it.
	edited := fstest.MapFS{
		"20260101000000_widgets.sql": sqlFile("CREATE TABLE widgets (id bigint, name text);", "DROP TABLE widgets;"),
		"20260102000000_gadgets.sql": sqlFile("CREATE TABLE gadgets (id bigint);", "DROP TABLE gadgets;"),
	}
	m2, err := migrate.New(db.Owner, migrate.Config{Migrations: edited, SkipRiver: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	err = m2.Up(context.Background())
	if d := errs.From(err); d.Code != connect.CodeFailedPrecondition || d.Reason != migrate.ReasonMigrationChanged {
		t.Fatalf("Up over a file edited after a cancelled Up applied it: %v; want FailedPrecondition %s", err, migrate.ReasonMigrationChanged)
	}
}
