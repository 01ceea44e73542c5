package migrate_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/footingdev/footing/storage/migrate"
	"github.com/footingdev/footing/storage/pgtest"
)

// TestNewFootingMigrationsApplyUnderAppMigrations: a database migrated with an older
// footing and the application's migrations (versions above 999) gets the new footing
// migrations (here 00012 and 00013, as if the older release lacked them) on the next Up.
// goose refused them as "missing (out-of-order)" migrations, so upgrading footing broke
// every deployment that had an application migration.
func TestNewFootingMigrationsApplyUnderAppMigrations(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithMigrations(appMigrations))
	ctx := context.Background()
	// Undo 00012 and 00013 (00013 only replaces a function: running it again is harmless).
	for _, s := range []string{
		"ALTER TABLE memberships DROP CONSTRAINT memberships_tenant_user_fkey",
		"ALTER TABLE memberships ADD CONSTRAINT memberships_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE",
		"DELETE FROM goose_db_version WHERE version_id IN (12, 13)",
		"DELETE FROM " + migrate.ChecksumTable + " WHERE version IN (12, 13)",
	} {
		if _, err := db.Owner.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	m, err := migrate.New(db.Owner, migrate.Config{Migrations: appMigrations})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Up(ctx); err != nil {
		t.Fatalf("Up with new footing migrations under an applied app migration: %v", err)
	}
	st, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending() {
		t.Fatalf("still pending after Up: %+v", st.Migrations)
	}
	var n int
	if err := db.Owner.QueryRow(ctx, "SELECT count(*) FROM pg_constraint WHERE conname = 'memberships_tenant_user_fkey'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("00012 not applied: %d %v", n, err)
	}
	// An application migration below an applied one is still refused, as goose does.
	withLate := fstest.MapFS{"20250101000000_late.sql": sqlFile("CREATE TABLE late (id int);", "DROP TABLE late;")}
	for k, v := range appMigrations {
		withLate[k] = v
	}
	m2, err := migrate.New(db.Owner, migrate.Config{Migrations: withLate})
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	if err := m2.Up(ctx); err == nil {
		t.Fatal("an application migration below an applied one ran")
	}
}

// TestDownAfterUpgradeForgetsWhatItRolledBack: after footing's 00013 was applied under an
// application migration, Down rolls back 00013 (goose goes by the order of application),
// which lies below the database's version: its checksum must be forgotten all the same,
// or an edited 00013 would be refused as changed when it runs again.
func TestDownAfterUpgradeForgetsWhatItRolledBack(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithMigrations(appMigrations))
	ctx := context.Background()
	for _, s := range []string{
		"DELETE FROM goose_db_version WHERE version_id = 13",
		"DELETE FROM " + migrate.ChecksumTable + " WHERE version = 13",
	} {
		if _, err := db.Owner.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	m, err := migrate.New(db.Owner, migrate.Config{Migrations: appMigrations})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.Down(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st.Migrations {
		if s.Applied != (s.Version != 13) {
			t.Fatalf("after Down: version %d applied=%v; want only 13 rolled back", s.Version, s.Applied)
		}
	}
	var n int
	if err := db.Owner.QueryRow(ctx, "SELECT count(*) FROM "+migrate.ChecksumTable+" WHERE version = 13").Scan(&n); err != nil || n != 0 {
		t.Fatalf("checksum of the rolled-back 00013 kept: %d %v", n, err)
	}
}
