package rls_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/rls"
)

func TestSystemCrossesTenantsAndLogs(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	for range 3 {
		tenant := uuid.NewString()
		ctx := as(tenant, "u")
		if err := rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO notes (tenant_id, body) VALUES ($1, 'x')", tenant)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	sys := rls.NewSystem(db.System, rls.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	ctx := identity.WithRequestMetadata(as(uuid.NewString(), "admin"), &commonv1.RequestMetadata{RequestId: "req-7"})

	if err := sys.Do(ctx, " ", func(pgx.Tx) error { return nil }); errs.From(err).Code != connect.CodeInvalidArgument {
		t.Fatalf("blank reason: %v", err)
	}
	var tenants int
	var reason string
	err := sys.Do(ctx, "billing rollup", func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT count(DISTINCT tenant_id), current_setting('app.system_reason') FROM notes").Scan(&tenants, &reason)
	})
	if err != nil || tenants != 3 || reason != "billing rollup" {
		t.Fatalf("system tx saw %d tenants, reason %q, err %v", tenants, reason, err)
	}
	for _, want := range []string{"billing rollup", "req-7", "s-admin"} {
		if !strings.Contains(logs.String(), want) {
			t.Fatalf("log %q lacks %q", logs.String(), want)
		}
	}
	// The app pool, even through a System, sees nothing: the policy is for the system role only.
	err = rls.NewSystem(db.App).Do(ctx, "misconfigured", func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT count(*) FROM notes").Scan(&tenants)
	})
	if err != nil || tenants != 0 {
		t.Fatalf("System over the app pool saw %d rows, %v", tenants, err)
	}
}
