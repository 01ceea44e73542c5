package migrate_test

import (
	"context"
	"sync"
	"testing"

	"github.com/footingdev/footing/storage/migrate"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

// TestConcurrentUpsApplyEachMigrationOnce: several instances starting at once each run
// Up on a database with everything pending, on pools of their own (as separate
// processes do): they queue on the advisory lock, every Up succeeds, and each migration
// — footing's, the application's and River's — is applied once.
func TestConcurrentUpsApplyEachMigrationOnce(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	down, err := migrate.New(db.Owner, migrate.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	if err := down.DownTo(ctx, 0); err != nil {
		t.Fatal(err)
	}
	const instances = 4
	errc := make(chan error, instances)
	var wg sync.WaitGroup
	for range instances {
		pool := db.Pool(t, rls.OwnerRole, 2)
		wg.Go(func() {
			m, err := migrate.New(pool, migrate.Config{Migrations: appMigrations})
			if err != nil {
				errc <- err
				return
			}
			defer m.Close()
			errc <- m.Up(ctx)
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Errorf("Up: %v", err)
		}
	}
	var gooseRows, distinct, riverRows, riverDistinct, sums int
	if err := db.Owner.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM goose_db_version WHERE version_id > 0),
		(SELECT count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0),
		(SELECT count(*) FROM river_migration),
		(SELECT count(DISTINCT (line, version)) FROM river_migration),
		(SELECT count(*) FROM `+migrate.ChecksumTable+`)`).Scan(&gooseRows, &distinct, &riverRows, &riverDistinct, &sums); err != nil {
		t.Fatal(err)
	}
	m, err := migrate.New(db.Owner, migrate.Config{Migrations: appMigrations})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	st, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(st.Migrations); st.Pending() || gooseRows != distinct || distinct != n || sums != n {
		t.Fatalf("goose history: %d rows, %d versions, %d checksums (pending %v); want each of the %d migrations once", gooseRows, distinct, sums, st.Pending(), n)
	}
	if riverRows != riverDistinct || st.RiverApplied != st.RiverLatest {
		t.Fatalf("river history: %d rows, %d distinct, applied %d of %d", riverRows, riverDistinct, st.RiverApplied, st.RiverLatest)
	}
}
