package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/footingdev/footing/contracts/errs"
)

// lockKey is the advisory lock held for a whole Up or Down, so that goose's and River's
// migrations of concurrent instances never interleave.
const lockKey int64 = 0x666f6f74696e67 // "footing"

// Config configures a [Migrator]. The zero value applies footing's and River's migrations.
type Config struct {
	// Migrations are the application's goose SQL migrations, at the root of the FS, with
	// versions above [MaxFootingVersion].
	Migrations fs.FS
	// SkipRiver leaves River's migrations out (for a service that does not use jobs).
	SkipRiver bool
	// Logger receives one line per applied migration; nil discards them.
	Logger *slog.Logger
}

// A Migrator applies migrations to one database. Create it with [New]; Close it after.
type Migrator struct {
	pool    *pgxpool.Pool
	db      *sql.DB
	goose   *goose.Provider
	river   *rivermigrate.Migrator[pgx.Tx]
	sources []source
	logger  *slog.Logger
	cfg     Config
}

// recordTimeout bounds recording the checksums of what an Up applied, which goes on
// after Up's context has ended.
const recordTimeout = 30 * time.Second

// minPoolConns is how many connections Up holds at once: the advisory lock's, and the
// one goose or River migrates on.
const minPoolConns = 2

// New returns a [Migrator] over pool, which should be connected as [rls.OwnerRole] and
// allow at least two connections (Up holds its lock on one and migrates on another; on a
// pool of one it would wait forever): a smaller pool is InvalidArgument
// (MIGRATE_POOL_TOO_SMALL). It checks the migration set (versions in range, none repeated)
// and reports every problem.
func New(pool *pgxpool.Pool, cfg Config) (*Migrator, error) {
	merged, sources, err := merge(cfg.Migrations)
	if err != nil {
		return nil, err
	}
	if n := pool.Config().MaxConns; n < minPoolConns {
		return nil, errs.InvalidArgument("MIGRATE_POOL_TOO_SMALL",
			fmt.Sprintf("migrate: the pool allows %d connection(s); Up needs %d (one holds the migration lock while another migrates)", n, minPoolConns),
			errs.WithFieldViolation("pool", fmt.Sprintf("MaxConns must be at least %d", minPoolConns), "RANGE"))
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	db := stdlib.OpenDBFromPool(pool)
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, errs.Internal(err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, merged,
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		_ = db.Close()
		return nil, errs.InvalidArgument("MIGRATION_INVALID", "goose rejected the migration set: "+err.Error())
	}
	m := &Migrator{pool: pool, db: db, goose: p, sources: sources, logger: logger, cfg: cfg}
	if !cfg.SkipRiver {
		m.river, err = rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: logger})
		if err != nil {
			_ = p.Close()
			_ = db.Close()
			return nil, errs.Internal(err)
		}
	}
	return m, nil
}

// Close releases the Migrator's database handle; the pool stays open.
func (m *Migrator) Close() error {
	return errors.Join(m.goose.Close(), m.db.Close())
}

// LatestVersion is the highest goose version this code knows.
func (m *Migrator) LatestVersion() int64 {
	return m.sources[len(m.sources)-1].version
}

// withLock runs fn holding the migration advisory lock on a dedicated connection.
func (m *Migrator) withLock(ctx context.Context, fn func() error) error {
	conn, err := m.pool.Acquire(ctx)
	if err != nil {
		return errs.Unavailable("DB_UNAVAILABLE", "cannot reach the database to migrate")
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return errs.Internal(fmt.Errorf("migrate: take lock: %w", err))
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockKey)
	}()
	return fn()
}

// Up applies every pending migration: footing's and the application's (goose), then
// River's. It refuses a database whose version is newer than [Migrator.LatestVersion]
// (FailedPrecondition MIGRATIONS_AHEAD), and one where an applied migration's file
// changed since it ran (FailedPrecondition [ReasonMigrationChanged], naming the files;
// checksums in [ChecksumTable], recorded as migrations apply and, on a database migrated
// before they were kept, at the first Up). footing's pending migrations run first, also
// under an application's newer ones (a new footing release adds its migrations below
// them); the application's must come in version order, as goose requires. Each migration
// runs in its own transaction
// (unless the file says NO TRANSACTION): a failing one leaves nothing of itself, and the
// ones before it stay applied. Last, it takes back from the application and system roles
// the right to write goose's and River's history tables (reading stays).
func (m *Migrator) Up(ctx context.Context) error {
	return m.withLock(ctx, func() error {
		current, err := m.goose.GetDBVersion(ctx)
		if err != nil {
			return errs.Internal(fmt.Errorf("migrate: read version: %w", err))
		}
		if latest := m.LatestVersion(); current > latest {
			return errs.FailedPrecondition("MIGRATIONS_AHEAD",
				fmt.Sprintf("database is at migration %d, newer than this code's latest %d: deploy newer code or migrate down with it", current, latest),
				errs.WithMetadata("db_version", fmt.Sprint(current), "code_version", fmt.Sprint(latest)))
		}
		if err := m.verifyChecksums(ctx); err != nil {
			return err
		}
		results, err := m.upFooting(ctx)
		if err == nil {
			var more []*goose.MigrationResult
			more, err = m.goose.Up(ctx)
			results = append(results, more...)
		}
		for _, r := range results {
			m.logger.InfoContext(ctx, "migrate: applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration.Round(time.Millisecond))
		}
		// Also after a failure: the migrations before the failing one are applied. Also
		// when ctx has ended (a deadline, an interrupt: the usual failure), so the record
		// gets a context of its own: without it a later edit of an applied file would be
		// recorded as the one that ran, and never refused.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
		rerr := m.recordChecksums(rctx)
		cancel()
		if err == nil && rerr != nil {
			return rerr
		}
		if err != nil {
			return errs.Internal(fmt.Errorf("migrate: up: %w", err))
		}
		if m.river != nil {
			res, err := m.river.Migrate(ctx, rivermigrate.DirectionUp, nil)
			if err != nil {
				return errs.Internal(fmt.Errorf("migrate: river up: %w", err))
			}
			for _, v := range res.Versions {
				m.logger.InfoContext(ctx, "migrate: applied river", "version", v.Version, "name", v.Name)
			}
		}
		return m.protectHistory(ctx)
	})
}

// upFooting applies footing's pending migrations, in version order, one by one. A
// release of footing adds migrations below the application's versions (footing keeps
// 1 to MaxFootingVersion), which goose's Up refuses as out of order once any application
// migration is applied ("missing migrations"); footing's own are meant to come in below
// them. The application's keep goose's rule.
func (m *Migrator) upFooting(ctx context.Context) ([]*goose.MigrationResult, error) {
	status, err := m.goose.Status(ctx)
	if err != nil {
		return nil, err
	}
	var results []*goose.MigrationResult
	for _, s := range status {
		if s.State == goose.StateApplied || s.Source.Version > MaxFootingVersion {
			continue
		}
		r, err := m.goose.ApplyVersion(ctx, s.Source.Version, true)
		if r != nil {
			results = append(results, r)
		}
		if err != nil {
			return results, err
		}
	}
	return results, nil
}

// Down rolls back the goose migration applied last — the newest, unless footing's were
// applied under the application's (see [Migrator.Up]) — and River's schema stays.
func (m *Migrator) Down(ctx context.Context) error {
	return m.withLock(ctx, func() error {
		_, err := m.goose.Down(ctx)
		if ferr := m.forgetChecksums(ctx); err == nil {
			err = ferr
		}
		if err != nil {
			return errs.Internal(fmt.Errorf("migrate: down: %w", err))
		}
		return nil
	})
}

// DownTo rolls goose migrations back to version (exclusive). DownTo(ctx, 0) removes
// everything, River's schema first.
func (m *Migrator) DownTo(ctx context.Context, version int64) error {
	return m.withLock(ctx, func() error {
		if version == 0 && m.river != nil {
			if _, err := m.river.Migrate(ctx, rivermigrate.DirectionDown, &rivermigrate.MigrateOpts{TargetVersion: -1}); err != nil {
				return errs.Internal(fmt.Errorf("migrate: river down: %w", err))
			}
		}
		_, err := m.goose.DownTo(ctx, version)
		if ferr := m.forgetChecksums(ctx); err == nil {
			err = ferr
		}
		if err != nil {
			return errs.Internal(fmt.Errorf("migrate: down to %d: %w", version, err))
		}
		return nil
	})
}

// A MigrationStatus is one goose migration and whether it is applied.
type MigrationStatus struct {
	Version   int64
	File      string
	Origin    string // "footing" or "app"
	Applied   bool
	AppliedAt time.Time
	// Changed reports an applied migration whose file differs from the one that ran (its
	// checksum in [ChecksumTable]); [Migrator.Up] refuses to run while any has.
	Changed bool
}

// A Status is the state of every migration [Migrator.Up] would apply.
type Status struct {
	// DBVersion is the newest applied goose version.
	DBVersion int64
	// Migrations are footing's and the application's, in version order.
	Migrations []MigrationStatus
	// RiverApplied and RiverLatest are River's applied and newest known versions (0 when
	// River is skipped or not migrated).
	RiverApplied, RiverLatest int
}

// Pending reports whether Up has work to do.
func (s Status) Pending() bool {
	for _, m := range s.Migrations {
		if !m.Applied {
			return true
		}
	}
	return s.RiverApplied < s.RiverLatest
}

// Status reports which migrations are applied.
func (m *Migrator) Status(ctx context.Context) (Status, error) {
	var st Status
	gs, err := m.goose.Status(ctx)
	if err != nil {
		return st, errs.Internal(fmt.Errorf("migrate: status: %w", err))
	}
	origin := map[int64]string{}
	for _, s := range m.sources {
		origin[s.version] = s.origin
	}
	recorded, err := m.recordedChecksums(ctx)
	if err != nil {
		return st, err
	}
	changed := m.changed(gs, recorded)
	for _, s := range gs {
		st.Migrations = append(st.Migrations, MigrationStatus{
			Version: s.Source.Version, File: s.Source.Path, Origin: origin[s.Source.Version],
			Applied: s.State == goose.StateApplied, AppliedAt: s.AppliedAt, Changed: changed[s.Source.Version],
		})
	}
	if st.DBVersion, err = m.goose.GetDBVersion(ctx); err != nil {
		return st, errs.Internal(fmt.Errorf("migrate: read version: %w", err))
	}
	if m.river != nil {
		all := m.river.AllVersions()
		st.RiverLatest = all[len(all)-1].Version
		existing, err := m.river.ExistingVersions(ctx)
		if err != nil {
			return st, errs.Internal(fmt.Errorf("migrate: river status: %w", err))
		}
		if len(existing) > 0 {
			st.RiverApplied = existing[len(existing)-1].Version
		}
	}
	return st, nil
}
