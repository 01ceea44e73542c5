package pgtest_test

import (
	"context"
	"fmt"
	"strings"
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

// TestRefusesRemoteCluster checks that Create refuses a TEST_DATABASE_URL whose host is not
// local before it dials (the error is the refusal, naming host and opt-in, not a failed
// lookup or connection), and that the opt-in lets it go on to dial.
func TestRefusesRemoteCluster(t *testing.T) {
	t.Setenv("PGHOST", "")
	t.Setenv("TEST_DATABASE_URL", "postgres://postgres@db.example.com:5432/postgres?sslmode=disable")
	t.Setenv(pgtest.AllowRemoteEnv, "")
	_, err := pgtest.Create(context.Background())
	if err == nil || !strings.Contains(err.Error(), `"db.example.com"`) || !strings.Contains(err.Error(), pgtest.AllowRemoteEnv+"=1") {
		t.Fatalf("remote host: %v; want a refusal naming the host and %s=1", err, pgtest.AllowRemoteEnv)
	}
	for _, v := range []string{"0", "yes", "true"} { // only "1" opts in
		t.Setenv(pgtest.AllowRemoteEnv, v)
		if _, err := pgtest.Create(context.Background()); err == nil || !strings.Contains(err.Error(), pgtest.AllowRemoteEnv) {
			t.Fatalf("%s=%s: %v; want the refusal", pgtest.AllowRemoteEnv, v, err)
		}
	}

	// With the opt-in it dials: an address that never answers, under a cancelled ctx,
	// fails to connect instead of being refused.
	t.Setenv("TEST_DATABASE_URL", "postgres://postgres@192.0.2.1:5432/postgres?sslmode=disable")
	t.Setenv(pgtest.AllowRemoteEnv, "1")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = pgtest.Create(ctx)
	if err == nil || strings.Contains(err.Error(), pgtest.AllowRemoteEnv) || !strings.Contains(err.Error(), "connect to TEST_DATABASE_URL") {
		t.Fatalf("opted in: %v; want a connection error", err)
	}
}
