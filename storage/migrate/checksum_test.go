package migrate_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/migrate"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

// TestUpRefusesChangedMigration: a migration file edited after it was applied (the
// database has the old version, the code a new one that never ran) is refused by Up,
// named in the error, reported by Status, and nothing newer is applied on top. Before,
// goose only compares versions, so Up succeeded and the edit silently never ran.
func TestUpRefusesChangedMigration(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	ctx := context.Background()
	run := func(files fstest.MapFS) (*migrate.Migrator, error) {
		t.Helper()
		m, err := migrate.New(db.Owner, migrate.Config{Migrations: files, SkipRiver: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m, m.Up(ctx)
	}
	v1 := fstest.MapFS{"20260101000000_widgets.sql": sqlFile("CREATE TABLE widgets (id bigint);", "DROP TABLE widgets;")}
	if _, err := run(v1); err != nil {
		t.Fatal(err)
	}
	// Line endings alone are no change (a Windows checkout).
	crlf := fstest.MapFS{"20260101000000_widgets.sql": &fstest.MapFile{Data: []byte(strings.ReplaceAll(string(v1["20260101000000_widgets.sql"].Data), "\n", "\r\n"))}}
	if _, err := run(crlf); err != nil {
		t.Fatalf("CRLF copy of an applied file: %v", err)
	}

	edited := fstest.MapFS{
		"20260101000000_widgets.sql": sqlFile("CREATE TABLE widgets (id bigint, name text);", "DROP TABLE widgets;"),
		"20260102000000_gadgets.sql": sqlFile("CREATE TABLE gadgets (id bigint);", "DROP TABLE gadgets;"),
	}
	m, err := run(edited)
	d := errs.From(err)
	if d.Code != connect.CodeFailedPrecondition || d.Reason != migrate.ReasonMigrationChanged || d.Metadata["files"] != "20260101000000_widgets.sql" {
		t.Fatalf("Up over an edited applied migration: %v (%+v); want FailedPrecondition %s naming it", err, d, migrate.ReasonMigrationChanged)
	}
	var n int
	if err := db.Owner.QueryRow(ctx, "SELECT count(*) FROM pg_class WHERE relname = 'gadgets'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("a newer migration ran over the changed one: %d %v", n, err)
	}
	st, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ms := range st.Migrations {
		if want := ms.Version == 20260101000000; ms.Changed != want {
			t.Fatalf("Status: %s changed = %v, want %v", ms.File, ms.Changed, want)
		}
	}

	// Rolled back, the edited file may run again; then it is the one on record.
	if err := m.Down(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := run(edited); err != nil {
		t.Fatalf("Up after Down of the changed migration: %v", err)
	}
	if _, err := run(edited); err != nil {
		t.Fatalf("Up again: %v", err)
	}

	// The application role cannot rewrite the record.
	var canWrite bool
	if err := db.Owner.QueryRow(ctx, "SELECT has_table_privilege($1, $2, 'UPDATE')", rls.AppRole, migrate.ChecksumTable).Scan(&canWrite); err != nil || canWrite {
		t.Fatalf("app role may update %s: %v %v", migrate.ChecksumTable, canWrite, err)
	}
}
