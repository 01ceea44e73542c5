package migrate_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/footingdev/footing/storage/migrate"
	"github.com/footingdev/footing/storage/pgtest"
)

// TestAppRoleCannotRewriteMigrationHistory checks that the application and system roles
// cannot write the migration history tables (goose's goose_db_version, River's
// river_migration), as they cannot write footing_migration_checksums. The migrating role
// creates those tables, so migration 00001's default privileges granted both roles DML on
// them: with the app role's credentials one could delete a version's row so that the next
// deploy runs that migration again, or insert one so that a migration never runs (or Up
// refuses to start, the database looking newer than the code).
func TestAppRoleCannotRewriteMigrationHistory(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	// Up on the test's own copy (pgtest's template may have been migrated by older code).
	m, err := migrate.New(db.Owner, migrate.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	for role, pool := range map[string]interface {
		Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
	}{"app": db.App, "system": db.System} {
		for _, stmt := range []string{
			"DELETE FROM goose_db_version",
			"INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)",
			"UPDATE goose_db_version SET is_applied = false",
			"DELETE FROM river_migration",
			"INSERT INTO river_migration (line, version) VALUES ('main', 99999)",
			"DELETE FROM " + "footing_migration_checksums",
		} {
			_, err := pool.Exec(ctx, stmt)
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "42501" {
				t.Errorf("%s role: %s: %v; want 42501 permission denied", role, stmt, err)
			}
		}
	}
	// The migrating role still reads and writes them.
	var n int
	if err := db.Owner.QueryRow(ctx, "SELECT count(*) FROM goose_db_version").Scan(&n); err != nil || n == 0 {
		t.Fatalf("owner reading goose_db_version: %d %v", n, err)
	}
}
