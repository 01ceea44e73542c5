package pg_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/pg"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func testURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

func TestValidateReportsEverything(t *testing.T) {
	t.Parallel()
	err := pg.Config{MaxConns: -1, MinIdleConns: -2, ConnectTimeout: -time.Second}.Validate()
	d := errs.From(err)
	if d.Code != connect.CodeInvalidArgument {
		t.Fatalf("code = %v, want InvalidArgument", d.Code)
	}
	var fields []string
	for _, v := range d.FieldViolations {
		fields = append(fields, v.GetField())
	}
	if got, want := strings.Join(fields, ","), "URL,MaxConns,MinIdleConns,ConnectTimeout"; got != want {
		t.Fatalf("violations = %s, want %s", got, want)
	}
	if err := (pg.Config{URL: testURL()}).Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
}

func TestValidateNeverEchoesURL(t *testing.T) {
	t.Parallel()
	err := pg.Config{URL: "postgres://u:s3cret@host:notaport/db"}.Validate()
	if err == nil {
		t.Fatal("bad URL accepted")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error leaks the password: %v", err)
	}
}

func TestConfigFromEnv(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://x@localhost/db")
	t.Setenv("DB_MAX_CONNS", "7")
	t.Setenv("DB_MAX_CONN_LIFETIME", "1m")
	c, err := pg.ConfigFromEnv()
	if err != nil || c.MaxConns != 7 || c.MaxConnLifetime != time.Minute || c.URL == "" {
		t.Fatalf("ConfigFromEnv = %+v, %v", c, err)
	}
	t.Setenv("DB_MAX_CONNS", "many")
	t.Setenv("DB_CONNECT_TIMEOUT", "soon")
	_, err = pg.ConfigFromEnv()
	if err == nil || !strings.Contains(err.Error(), "DB_MAX_CONNS") || !strings.Contains(err.Error(), "DB_CONNECT_TIMEOUT") {
		t.Fatalf("want both bad variables reported, got %v", err)
	}
}

func TestDefaultsApplied(t *testing.T) {
	t.Parallel()
	pc, err := pg.Config{URL: testURL(), MaxConns: 1}.PoolConfig()
	if err != nil {
		t.Fatal(err)
	}
	if pc.MaxConns != 1 || pc.MinIdleConns != 1 || pc.MaxConnLifetimeJitter != pg.DefaultMaxConnLifetimeJitter {
		t.Fatalf("defaults not applied: max=%d minIdle=%d jitter=%v", pc.MaxConns, pc.MinIdleConns, pc.MaxConnLifetimeJitter)
	}
}

func TestPoolTracesQueriesWithoutArguments(t *testing.T) {
	t.Parallel()
	rec := tracetest.NewSpanRecorder()
	tp := trace.NewTracerProvider(trace.WithSpanProcessor(rec))
	ctx := context.Background()
	pool, err := pg.New(ctx, pg.Config{URL: testURL(), TracerProvider: tp, MinIdleConns: 1, MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := pg.Health(ctx, pool); err != nil {
		t.Fatalf("Health: %v", err)
	}
	var got string
	if err := pool.QueryRow(ctx, "select $1::text", "top-secret-arg").Scan(&got); err != nil || got != "top-secret-arg" {
		t.Fatalf("query = %q, %v", got, err)
	}
	_, _ = pool.Exec(ctx, "select 1/0")
	if _, err := pool.Exec(ctx, "select 'literal-secret'"); err != nil {
		t.Fatal(err)
	}
	var sawSelect, sawErr bool
	for _, s := range rec.Ended() {
		for _, a := range s.Attributes() {
			if v := a.Value.String(); strings.Contains(v, "top-secret-arg") || strings.Contains(v, "literal-secret") {
				t.Fatalf("span %q carries a query argument or literal", s.Name())
			}
			if a.Key == "error.type" && a.Value.AsString() == "22012" {
				sawErr = true
			}
		}
		if s.Name() == "SELECT" {
			sawSelect = true
		}
	}
	if !sawSelect || !sawErr {
		t.Fatalf("spans: select=%v division-error=%v (%d spans)", sawSelect, sawErr, len(rec.Ended()))
	}
}

func TestHealthUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, err := pg.New(ctx, pg.Config{URL: "postgres://nobody@127.0.0.1:1/none?sslmode=disable", ConnectTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	err = pg.Health(ctx, pool)
	if errs.From(err).Code != connect.CodeUnavailable {
		t.Fatalf("Health on a closed port = %v, want Unavailable", err)
	}
}

// TestURLPoolSettingsAreKept: pgxpool reads pool_max_conns and the other pool_* settings
// from the connection string, and PoolConfig replaced them with this package's defaults
// (DATABASE_URL=...?pool_max_conns=50 gave a pool of 10). A Config field still wins.
func TestURLPoolSettingsAreKept(t *testing.T) {
	t.Parallel()
	sep := "?"
	if strings.Contains(testURL(), "?") {
		sep = "&"
	}
	url := testURL() + sep + "pool_max_conns=3&pool_min_idle_conns=1&pool_max_conn_lifetime=7m&pool_max_conn_lifetime_jitter=11s&pool_max_conn_idle_time=13s&pool_health_check_period=17s"
	pc, err := pg.Config{URL: url}.PoolConfig()
	if err != nil {
		t.Fatal(err)
	}
	if pc.MaxConns != 3 || pc.MinIdleConns != 1 || pc.MaxConnLifetime != 7*time.Minute || pc.MaxConnLifetimeJitter != 11*time.Second ||
		pc.MaxConnIdleTime != 13*time.Second || pc.HealthCheckPeriod != 17*time.Second {
		t.Fatalf("URL pool settings replaced: max=%d minIdle=%d lifetime=%v jitter=%v idle=%v health=%v",
			pc.MaxConns, pc.MinIdleConns, pc.MaxConnLifetime, pc.MaxConnLifetimeJitter, pc.MaxConnIdleTime, pc.HealthCheckPeriod)
	}
	pc, err = pg.Config{URL: url, MaxConns: 5, MaxConnIdleTime: time.Minute}.PoolConfig()
	if err != nil {
		t.Fatal(err)
	}
	if pc.MaxConns != 5 || pc.MaxConnIdleTime != time.Minute || pc.MinIdleConns != 1 {
		t.Fatalf("Config fields did not win: max=%d idle=%v minIdle=%d", pc.MaxConns, pc.MaxConnIdleTime, pc.MinIdleConns)
	}
	// Without pool_* settings, the defaults.
	pc, err = pg.Config{URL: testURL()}.PoolConfig()
	if err != nil {
		t.Fatal(err)
	}
	if pc.MaxConns != pg.DefaultMaxConns || pc.MinIdleConns != pg.DefaultMinIdleConns || pc.MaxConnIdleTime != pg.DefaultMaxConnIdleTime {
		t.Fatalf("defaults not applied: max=%d minIdle=%d idle=%v", pc.MaxConns, pc.MinIdleConns, pc.MaxConnIdleTime)
	}
}
