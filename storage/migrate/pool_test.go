package migrate_test

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/migrate"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

// TestNewRefusesAOneConnectionPool: Up holds the advisory lock on one of the pool's
// connections while goose (and River) migrate on another, so on a pool of one connection
// (DB_MAX_CONNS=1, a natural choice for a one-off migration job) it waited for a second
// connection forever — with a context without deadline, a hung deploy. New now says so.
func TestNewRefusesAOneConnectionPool(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	pool := db.Pool(t, rls.OwnerRole, 1)
	m, err := migrate.New(pool, migrate.Config{Migrations: appMigrations})
	if err == nil {
		defer m.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		t.Fatalf("New accepted a pool of one connection; Up on it: %v", m.Up(ctx))
	}
	if d := errs.From(err); d.Code != connect.CodeInvalidArgument || d.Reason != "MIGRATE_POOL_TOO_SMALL" {
		t.Fatalf("New: %v; want InvalidArgument MIGRATE_POOL_TOO_SMALL", err)
	}
	m, err = migrate.New(db.Pool(t, rls.OwnerRole, 2), migrate.Config{Migrations: appMigrations})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Up(context.Background()); err != nil {
		t.Fatalf("Up on a pool of two connections: %v", err)
	}
}
