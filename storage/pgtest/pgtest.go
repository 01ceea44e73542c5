package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/footingdev/footing/storage/migrate"
	"github.com/footingdev/footing/storage/rls"
)

// DefaultURL is used when TEST_DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// roleLockKey serializes role set-up and template builds across test processes.
const roleLockKey int64 = 0x666f6f7470677400

// poolSize is the size of each pool a [DB] opens.
const poolSize = 4

// URL returns TEST_DATABASE_URL, or [DefaultURL].
func URL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// A DB is one test's database with a pool per role. The pools are closed and the database
// dropped when the test ends.
type DB struct {
	// Name is the database's name.
	Name string
	// Owner is connected as rls.OwnerRole (owns the tables; RLS is forced on it too).
	Owner *pgxpool.Pool
	// App is connected as rls.AppRole: what a service uses.
	App *pgxpool.Pool
	// System is connected as rls.SystemRole: for rls.System.
	System *pgxpool.Pool

	base  *url.URL
	mu    sync.Mutex
	pools []*pgxpool.Pool
}

// An Option configures [New].
type Option func(*options)

type options struct {
	cfg migrate.Config
}

// WithMigrations adds the application's migrations (see migrate.Config.Migrations).
func WithMigrations(fsys fs.FS) Option { return func(o *options) { o.cfg.Migrations = fsys } }

// WithoutRiver leaves River's schema out.
func WithoutRiver() Option { return func(o *options) { o.cfg.SkipRiver = true } }

// New creates a fresh migrated database for t and drops it when t ends. It fails t when
// Postgres cannot be reached: a test that needs a database never passes without one.
func New(t testing.TB, opts ...Option) *DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db, err := Create(ctx, opts...)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return db
}

// Create is [New] outside a test (for examples and benchmarks' helpers): the caller must
// [DB.Close] the database. Like New, it refuses a TEST_DATABASE_URL whose host is not local
// unless [AllowRemoteEnv] is "1", before any connection.
func Create(ctx context.Context, opts ...Option) (*DB, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	base, err := url.Parse(URL())
	if err != nil || base.Scheme == "" {
		return nil, errors.New("TEST_DATABASE_URL must be a postgres:// URL")
	}
	if err := checkLocal(URL(), os.Getenv(AllowRemoteEnv) == "1"); err != nil {
		return nil, err
	}
	tmpl, err := template(ctx, base, o.cfg)
	if err != nil {
		return nil, err
	}
	name := "footing_test_" + randomHex(8)
	if err := adminExec(ctx, base, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s OWNER %s", name, tmpl, rls.OwnerRole)); err != nil {
		return nil, fmt.Errorf("create database: %w", err)
	}
	db := &DB{Name: name, base: base}
	for _, p := range []struct {
		dst  **pgxpool.Pool
		role string
	}{{&db.Owner, rls.OwnerRole}, {&db.App, rls.AppRole}, {&db.System, rls.SystemRole}} {
		if *p.dst, err = db.OpenPool(ctx, p.role, poolSize); err != nil {
			return nil, errors.Join(err, db.Close())
		}
	}
	return db, nil
}

// Close closes every pool opened on the database and drops it.
func (db *DB) Close() error {
	db.mu.Lock()
	pools := db.pools
	db.pools = nil
	db.mu.Unlock()
	for _, p := range pools {
		p.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := adminExec(ctx, db.base, "DROP DATABASE IF EXISTS "+db.Name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", db.Name, err)
	}
	return nil
}

// URL returns a connection string for role (one of the rls role names) to this database.
func (db *DB) URL(role string) string {
	return roleURL(db.base, role, db.Name)
}

// SuperuserURL returns TEST_DATABASE_URL pointed at this database: a role RLS does not
// apply to, for baselines and fixtures.
func (db *DB) SuperuserURL() string {
	u := *db.base
	u.Path = "/" + db.Name
	return u.String()
}

// OpenPool opens another pool on this database as role with at most maxConns connections;
// [DB.Close] closes it.
func (db *DB) OpenPool(ctx context.Context, role string, maxConns int32) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(db.URL(role))
	if err != nil {
		return nil, err
	}
	pc.MaxConns = maxConns
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("open pool: %w", err)
	}
	db.mu.Lock()
	db.pools = append(db.pools, pool)
	db.mu.Unlock()
	return pool, nil
}

// Pool is [DB.OpenPool] for a test: it fails t on error.
func (db *DB) Pool(t testing.TB, role string, maxConns int32) *pgxpool.Pool {
	t.Helper()
	pool, err := db.OpenPool(context.Background(), role, maxConns)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return pool
}

func roleURL(base *url.URL, role, database string) string {
	u := *base
	u.User = url.UserPassword(role, role)
	u.Path = "/" + database
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func adminExec(ctx context.Context, base *url.URL, sql string, args ...any) error {
	conn, err := pgx.Connect(ctx, base.String())
	if err != nil {
		return fmt.Errorf("connect to TEST_DATABASE_URL: %w", err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	_, err = conn.Exec(ctx, sql, args...)
	return err
}

var (
	builtMu sync.Mutex
	built   = map[string]bool{}
	swept   bool
)

// template returns the name of a template database migrated with cfg, building it (and the
// roles) under a cluster-wide advisory lock when no process has yet.
func template(ctx context.Context, base *url.URL, cfg migrate.Config) (string, error) {
	key, err := fingerprint(cfg)
	if err != nil {
		return "", err
	}
	today := time.Now().UTC()
	name := "footing_tmpl_" + key + "_" + today.Format("20060102")
	builtMu.Lock()
	defer builtMu.Unlock()
	if built[name] {
		return name, nil
	}
	conn, err := pgx.Connect(ctx, base.String())
	if err != nil {
		return "", fmt.Errorf("connect to TEST_DATABASE_URL: %w", err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", roleLockKey); err != nil {
		return "", err
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", roleLockKey) }()
	if err := ensureRoles(ctx, conn); err != nil {
		return "", fmt.Errorf("roles: %w", err)
	}
	if !swept {
		// Housekeeping only: a sweep that loses a race with another process dropping its
		// own databases must not fail this test. The next process sweeps again.
		_ = dropLeakedDatabases(ctx, conn)
		swept = true
	}
	var isTemplate bool
	err = conn.QueryRow(ctx, "SELECT datistemplate FROM pg_database WHERE datname = $1", name).Scan(&isTemplate)
	switch {
	case err == nil && isTemplate:
		built[name] = true
		return name, nil
	case err == nil: // a build that died half-way
		if _, err := conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			return "", err
		}
	case !errors.Is(err, pgx.ErrNoRows):
		return "", err
	}
	if err := dropStaleTemplates(ctx, conn, today); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s OWNER %s", name, rls.OwnerRole)); err != nil {
		return "", err
	}
	if err := migrateInto(ctx, roleURL(base, rls.OwnerRole, name), cfg); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+name+" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"); err != nil {
		return "", err
	}
	built[name] = true
	return name, nil
}

// dropStaleTemplates drops templates stamped before yesterday (UTC): a test process would
// have to run across two midnights to still be copying one. The caller holds the lock.
func dropStaleTemplates(ctx context.Context, conn *pgx.Conn, today time.Time) error {
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'footing\\_tmpl\\_%'")
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	cutoff := today.AddDate(0, 0, -1).Format("20060102")
	for _, n := range names {
		i := strings.LastIndexByte(n, '_')
		stamp := n[i+1:]
		// Undated names come from older pgtest versions, which may be running right now
		// (a clean clone in CI): leave them.
		if len(stamp) != 8 || strings.Trim(stamp, "0123456789") != "" || stamp >= cutoff {
			continue
		}
		if _, err := conn.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{n}.Sanitize()+" WITH IS_TEMPLATE false"); err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)"); err != nil {
			return err
		}
	}
	return nil
}

// dropLeakedDatabases drops test databases left by killed test processes: older than an
// hour and without connections. The caller holds the lock, but other processes' tests drop
// their own databases without it: pg_stat_file's missing_ok skips a database whose files
// went away between the catalog read and the stat, and DROP ... IF EXISTS one that went
// away before the drop.
func dropLeakedDatabases(ctx context.Context, conn *pgx.Conn) error {
	rows, err := conn.Query(ctx, `SELECT d.datname FROM pg_database d
		WHERE d.datname LIKE 'footing\_test\_%'
		  AND (pg_stat_file('base/' || d.oid || '/PG_VERSION', true)).modification < now() - interval '1 hour'
		  AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datid = d.oid)`)
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, n := range names {
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)"); err != nil {
			return err
		}
	}
	return nil
}

func migrateInto(ctx context.Context, dsn string, cfg migrate.Config) error {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	m, err := migrate.New(pool, cfg)
	if err != nil {
		return err
	}
	defer func() { _ = m.Close() }()
	if err := m.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// ensureRoles creates or fixes the three roles; the caller holds the advisory lock.
func ensureRoles(ctx context.Context, conn *pgx.Conn) error {
	for _, role := range []string{rls.OwnerRole, rls.AppRole, rls.SystemRole} {
		ident := pgx.Identifier{role}.Sanitize()
		attrs := "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB PASSWORD '" + role + "'"
		var exists bool
		if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", role).Scan(&exists); err != nil {
			return err
		}
		verb := "ALTER"
		if !exists {
			verb = "CREATE"
		}
		if _, err := conn.Exec(ctx, verb+" ROLE "+ident+" "+attrs); err != nil {
			return err
		}
	}
	return nil
}

// fingerprint names a migration set: footing's files, the application's, and River's.
func fingerprint(cfg migrate.Config) (string, error) {
	h := sha256.New()
	for i, fsys := range []fs.FS{migrate.FS(), cfg.Migrations} {
		if fsys == nil {
			continue
		}
		names, err := fs.Glob(fsys, "*.sql")
		if err != nil {
			return "", err
		}
		for _, n := range names {
			b, err := fs.ReadFile(fsys, n)
			if err != nil {
				return "", err
			}
			_, _ = fmt.Fprintf(h, "%d\x00%s\x00%d\x00", i, n, len(b))
			h.Write(b)
		}
	}
	if !cfg.SkipRiver {
		rm, err := rivermigrate.New(riverpgxv5.New(nil), nil)
		if err != nil {
			return "", err
		}
		for _, v := range rm.AllVersions() {
			_, _ = fmt.Fprintf(h, "river\x00%d\x00%s", v.Version, v.SQLUp)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
