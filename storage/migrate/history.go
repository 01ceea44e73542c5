package migrate

import (
	"context"
	"fmt"

	"github.com/footingdev/footing/contracts/errs"
)

// protectHistory takes back from the application and system roles the right to write
// the migration history tables goose and River keep (goose_db_version, river_migration).
// The migrating role creates them, River's after migration 00001 set default privileges
// granting those roles DML on every new table; with it, the app role could delete a
// version's row (the next Up runs that migration again, and fails on what exists) or
// insert one (a migration never runs, or Up refuses the database as newer). Reading
// stays allowed.
const protectHistory = `
DO $$
DECLARE r text; t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['goose_db_version', 'river_migration'] LOOP
        CONTINUE WHEN to_regclass(t) IS NULL;
        FOREACH r IN ARRAY ARRAY['footing_app', 'footing_system'] LOOP
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
                EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON %s FROM %I', to_regclass(t), r);
            END IF;
        END LOOP;
    END LOOP;
END $$`

func (m *Migrator) protectHistory(ctx context.Context) error {
	if _, err := m.pool.Exec(ctx, protectHistory); err != nil {
		return errs.Internal(fmt.Errorf("migrate: protect the migration history: %w", err))
	}
	return nil
}
