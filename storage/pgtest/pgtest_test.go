package pgtest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"go.uber.org/goleak"

	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func exists(t *testing.T, name string) bool {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), pgtest.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestParallelDatabasesAreSeparateAndDropped(t *testing.T) {
	t.Parallel()
	names := make(chan string, 6)
	t.Run("group", func(t *testing.T) {
		for i := range 6 {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				db := pgtest.New(t)
				names <- db.Name
				ctx := context.Background()
				if _, err := db.Owner.Exec(ctx, "CREATE TABLE mine (v int)"); err != nil {
					t.Fatal(err)
				}
				var user string
				var orgs int
				if err := db.App.QueryRow(ctx, "SELECT current_user, (SELECT count(*) FROM organizations)").Scan(&user, &orgs); err != nil {
					t.Fatal(err)
				}
				if user != rls.AppRole || orgs != 0 {
					t.Fatalf("app pool is %s and sees %d organizations", user, orgs)
				}
				if !exists(t, db.Name) {
					t.Fatalf("database %s missing during the test", db.Name)
				}
			})
		}
	})
	close(names)
	seen := map[string]bool{}
	for n := range names {
		if seen[n] {
			t.Fatalf("database %s handed out twice", n)
		}
		seen[n] = true
		if exists(t, n) {
			t.Fatalf("database %s left behind", n)
		}
	}
	if len(seen) != 6 {
		t.Fatalf("%d databases, want 6", len(seen))
	}
}

func TestRolesAreSetUp(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	ctx := context.Background()
	for pool, want := range map[string]string{db.URL(rls.OwnerRole): rls.OwnerRole, db.URL(rls.SystemRole): rls.SystemRole} {
		conn, err := pgx.Connect(ctx, pool)
		if err != nil {
			t.Fatal(err)
		}
		var user string
		var super, bypass bool
		err = conn.QueryRow(ctx, "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user").Scan(&user, &super, &bypass)
		_ = conn.Close(ctx)
		if err != nil || user != want || super || bypass {
			t.Fatalf("%s: user=%s super=%v bypass=%v err=%v", want, user, super, bypass, err)
		}
	}
	var river int
	if err := db.Owner.QueryRow(ctx, "SELECT count(*) FROM pg_class WHERE relname = 'river_job'").Scan(&river); err != nil || river != 0 {
		t.Fatalf("WithoutRiver still has river_job: %d %v", river, err)
	}
}
