package migrate_test

import (
	"context"
	"testing"
	"testing/fstest"

	"connectrpc.com/connect"
	"go.uber.org/goleak"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/migrate"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func sqlFile(up, down string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte("-- +goose Up\n" + up + "\n-- +goose Down\n" + down + "\n")}
}

var appMigrations = fstest.MapFS{
	"20260101000000_widgets.sql": sqlFile(
		"CREATE TABLE widgets (tenant_id uuid NOT NULL, id bigserial PRIMARY KEY, name text NOT NULL);\nSELECT footing_enable_tenant_rls('widgets');",
		"DROP TABLE widgets;"),
}

func TestUpStatusDownFromEmpty(t *testing.T) {
	t.Parallel()
	// pgtest's database is already migrated without the app's files; start from that and
	// apply the app's, then walk everything back down.
	db := pgtest.New(t)
	ctx := context.Background()
	m, err := migrate.New(db.Owner, migrate.Config{Migrations: appMigrations})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	st, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Pending() || st.Migrations[len(st.Migrations)-1].Origin != "app" || st.Migrations[len(st.Migrations)-1].Applied {
		t.Fatalf("before Up: %+v", st)
	}
	if st.RiverApplied == 0 || st.RiverApplied != st.RiverLatest {
		t.Fatalf("river: applied %d latest %d", st.RiverApplied, st.RiverLatest)
	}
	if err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.Up(ctx); err != nil { // idempotent
		t.Fatal(err)
	}
	st, _ = m.Status(ctx)
	if st.Pending() || st.DBVersion != 20260101000000 {
		t.Fatalf("after Up: pending=%v version=%d", st.Pending(), st.DBVersion)
	}
	var forced bool
	if err := db.Owner.QueryRow(ctx, "SELECT relforcerowsecurity FROM pg_class WHERE relname = 'widgets'").Scan(&forced); err != nil || !forced {
		t.Fatalf("widgets not under forced RLS: %v %v", forced, err)
	}
	var canInsert bool
	if err := db.Owner.QueryRow(ctx, "SELECT has_table_privilege($1, 'widgets', 'INSERT')", rls.AppRole).Scan(&canInsert); err != nil || !canInsert {
		t.Fatalf("app role cannot insert into a new table: %v %v", canInsert, err)
	}
	if err := m.Down(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Owner.QueryRow(ctx, "SELECT count(*) FROM pg_class WHERE relname = 'widgets'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("widgets after Down: %d %v", n, err)
	}
	if err := m.DownTo(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if err := db.Owner.QueryRow(ctx, "SELECT count(*) FROM pg_class WHERE relname IN ('organizations', 'river_job')").Scan(&n); err != nil || n != 0 {
		t.Fatalf("tables after DownTo(0): %d %v", n, err)
	}
	if err := m.Up(ctx); err != nil {
		t.Fatalf("Up again from scratch: %v", err)
	}
}

func TestUpRefusesNewerDatabase(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithMigrations(appMigrations), pgtest.WithoutRiver())
	m, err := migrate.New(db.Owner, migrate.Config{SkipRiver: true}) // older code: no widgets
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	err = m.Up(context.Background())
	d := errs.From(err)
	if d.Code != connect.CodeFailedPrecondition || d.Reason != "MIGRATIONS_AHEAD" || d.Metadata["db_version"] != "20260101000000" {
		t.Fatalf("Up on a newer database: %v (%+v)", err, d)
	}
}

func TestNewRejectsBadMigrationSets(t *testing.T) {
	t.Parallel()
	bad := fstest.MapFS{
		"00005_mine.sql":  sqlFile("SELECT 1;", "SELECT 1;"),
		"02000_a.sql":     sqlFile("SELECT 1;", "SELECT 1;"),
		"002000_b.sql":    sqlFile("SELECT 1;", "SELECT 1;"),
		"README.md":       &fstest.MapFile{Data: []byte("not a migration")},
		"notes/01_x.sql":  sqlFile("SELECT 1;", "SELECT 1;"),
		"03000_fine.sql":  sqlFile("SELECT 1;", "SELECT 1;"),
		"04000_fine2.sql": sqlFile("SELECT 1;", "SELECT 1;"),
	}
	_, err := migrate.New(nil, migrate.Config{Migrations: bad})
	d := errs.From(err)
	if d.Code != connect.CodeInvalidArgument || len(d.FieldViolations) != 2 {
		t.Fatalf("got %v with %d violations, want InvalidArgument with 2 (reserved version, duplicate)", err, len(d.FieldViolations))
	}
	_, err = migrate.New(nil, migrate.Config{Migrations: fstest.MapFS{"x.sql": sqlFile("", "")}})
	if errs.From(err).Code != connect.CodeInvalidArgument {
		t.Fatalf("unnumbered file: %v", err)
	}
}
