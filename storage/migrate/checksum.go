package migrate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/pressly/goose/v3"

	"github.com/footingdev/footing/contracts/errs"
)

// ChecksumTable records the SHA-256 of every goose migration file as it was when it was
// applied, so that [Migrator.Up] notices a file changed after it ran.
const ChecksumTable = "footing_migration_checksums"

// ReasonMigrationChanged is the ErrorInfo reason of the error [Migrator.Up] returns when an
// applied migration's file no longer matches what ran.
const ReasonMigrationChanged = "MIGRATION_CHANGED"

// createChecksumTable makes the table if missing. The migrating role creates it, so the
// default privileges of migration 00001 would let the application role write it: they are
// taken back.
const createChecksumTable = `
CREATE TABLE IF NOT EXISTS ` + ChecksumTable + ` (
    version     bigint PRIMARY KEY,
    file        text NOT NULL,
    sha256      text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['footing_app', 'footing_system'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('REVOKE ALL ON ` + ChecksumTable + ` FROM %I', r);
        END IF;
    END LOOP;
END $$`

func (m *Migrator) ensureChecksumTable(ctx context.Context) error {
	if _, err := m.pool.Exec(ctx, createChecksumTable); err != nil {
		return errs.Internal(fmt.Errorf("migrate: create %s: %w", ChecksumTable, err))
	}
	return nil
}

// checksum is the hex SHA-256 of a migration file, line endings normalised (a checkout
// that turns LF into CRLF changes nothing that runs).
func checksum(data []byte) string {
	sum := sha256.Sum256(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")))
	return hex.EncodeToString(sum[:])
}

// recordedChecksums reads the table; a database without it has none.
func (m *Migrator) recordedChecksums(ctx context.Context) (map[int64]string, error) {
	var exists bool
	if err := m.pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", ChecksumTable).Scan(&exists); err != nil {
		return nil, errs.Internal(fmt.Errorf("migrate: look for %s: %w", ChecksumTable, err))
	}
	out := map[int64]string{}
	if !exists {
		return out, nil
	}
	rows, err := m.pool.Query(ctx, "SELECT version, sha256 FROM "+ChecksumTable)
	if err != nil {
		return nil, errs.Internal(fmt.Errorf("migrate: read checksums: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var v int64
		var s string
		if err := rows.Scan(&v, &s); err != nil {
			return nil, errs.Internal(fmt.Errorf("migrate: read checksums: %w", err))
		}
		out[v] = s
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internal(fmt.Errorf("migrate: read checksums: %w", err))
	}
	return out, nil
}

// changed lists the applied migrations whose file differs from the recorded checksum.
func (m *Migrator) changed(status []*goose.MigrationStatus, recorded map[int64]string) map[int64]bool {
	out := map[int64]bool{}
	for _, s := range status {
		if s.State != goose.StateApplied {
			continue
		}
		src, ok := m.source(s.Source.Version)
		if sum, has := recorded[s.Source.Version]; ok && has && sum != checksum(src.data) {
			out[s.Source.Version] = true
		}
	}
	return out
}

func (m *Migrator) source(version int64) (source, bool) {
	i := sort.Search(len(m.sources), func(i int) bool { return m.sources[i].version >= version })
	if i < len(m.sources) && m.sources[i].version == version {
		return m.sources[i], true
	}
	return source{}, false
}

// verifyChecksums creates the table if needed and refuses, with FailedPrecondition
// [ReasonMigrationChanged], when an applied migration's file changed since it ran.
func (m *Migrator) verifyChecksums(ctx context.Context) error {
	if err := m.ensureChecksumTable(ctx); err != nil {
		return err
	}
	status, err := m.goose.Status(ctx)
	if err != nil {
		return errs.Internal(fmt.Errorf("migrate: status: %w", err))
	}
	recorded, err := m.recordedChecksums(ctx)
	if err != nil {
		return err
	}
	changed := m.changed(status, recorded)
	if len(changed) == 0 {
		return nil
	}
	var files []string
	for v := range changed {
		src, _ := m.source(v)
		files = append(files, src.name)
	}
	sort.Strings(files)
	list := strings.Join(files, ", ")
	return errs.FailedPrecondition(ReasonMigrationChanged,
		"applied migrations changed since they ran: "+list+"; restore them (add a new migration for the change), or, if the database already has the change, delete their rows from "+ChecksumTable,
		errs.WithMetadata("files", list))
}

// recordChecksums stores the checksum of every applied migration that has none: the ones
// Up just applied, and on a database migrated before checksums were kept, all of them.
func (m *Migrator) recordChecksums(ctx context.Context) error {
	status, err := m.goose.Status(ctx)
	if err != nil {
		return errs.Internal(fmt.Errorf("migrate: status: %w", err))
	}
	for _, s := range status {
		if s.State != goose.StateApplied {
			continue
		}
		src, ok := m.source(s.Source.Version)
		if !ok {
			continue
		}
		if _, err := m.pool.Exec(ctx, "INSERT INTO "+ChecksumTable+" (version, file, sha256) VALUES ($1, $2, $3) ON CONFLICT (version) DO NOTHING",
			src.version, src.name, checksum(src.data)); err != nil {
			return errs.Internal(fmt.Errorf("migrate: record checksum: %w", err))
		}
	}
	return nil
}

// forgetChecksums drops the checksums of migrations that are not applied (or above the
// database's version), after a Down: a file rolled back may change before it runs again.
// Down goes by the order migrations were applied, so after footing's were applied under
// the application's, what it rolled back may lie below the database's version.
func (m *Migrator) forgetChecksums(ctx context.Context) error {
	if err := m.ensureChecksumTable(ctx); err != nil {
		return err
	}
	v, err := m.goose.GetDBVersion(ctx)
	if err != nil {
		return errs.Internal(fmt.Errorf("migrate: read version: %w", err))
	}
	status, err := m.goose.Status(ctx)
	if err != nil {
		return errs.Internal(fmt.Errorf("migrate: status: %w", err))
	}
	var pending []int64
	for _, s := range status {
		if s.State != goose.StateApplied {
			pending = append(pending, s.Source.Version)
		}
	}
	if _, err := m.pool.Exec(ctx, "DELETE FROM "+ChecksumTable+" WHERE version > $1 OR version = ANY($2)", v, pending); err != nil {
		return errs.Internal(fmt.Errorf("migrate: forget checksums: %w", err))
	}
	return nil
}
