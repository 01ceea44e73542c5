package pg_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/pg"
)

// TestMapErrorDatabaseDown checks that a query on a pool that cannot connect — the
// database down, refusing connections — maps to Unavailable, which callers retry, not
// Internal: pgx reports it as a *pgconn.ConnectError that is not "safe to retry" by
// pgconn's definition, though nothing was sent. The error carries no password.
func TestMapErrorDatabaseDown(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // nothing listens there now: connections are refused

	pool, err := pg.New(context.Background(), pg.Config{
		URL: "postgres://app:secret-password@" + addr + "/app?sslmode=disable", DisableTracing: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	_, qerr := pool.Exec(context.Background(), "SELECT 1")
	if qerr == nil {
		t.Fatal("query on a refused address succeeded")
	}
	mapped := pg.MapError(qerr)
	d := errs.From(mapped)
	if d.Code != connect.CodeUnavailable || d.Reason != pg.ReasonUnavailable {
		t.Fatalf("MapError(%T %v) = %v %s; want Unavailable %s", qerr, qerr, d.Code, d.Reason, pg.ReasonUnavailable)
	}
	if strings.Contains(mapped.Error(), "secret-password") || strings.Contains(mapped.Error(), addr) {
		t.Fatalf("mapped error names the connection: %v", mapped)
	}
	// The server keeps the cause, to log why (refused, TLS, DNS).
	var ce *pgconn.ConnectError
	if !errors.As(mapped, &ce) {
		t.Fatal("the connect failure is not kept as the server-side cause")
	}
}
