package rls_test

import (
	"context"
	"testing"
	"testing/fstest"

	"go.uber.org/goleak"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/pgtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// notesMigration is a test table under tenant RLS.
var notesMigration = fstest.MapFS{"01001_notes.sql": &fstest.MapFile{Data: []byte(`
-- +goose Up
CREATE TABLE notes (
    tenant_id uuid NOT NULL,
    id        bigserial PRIMARY KEY,
    body      text NOT NULL
);
SELECT footing_enable_tenant_rls('notes');
-- +goose Down
DROP TABLE notes;
`)}}

func newDB(t testing.TB) *pgtest.DB {
	t.Helper()
	return pgtest.New(t, pgtest.WithMigrations(notesMigration), pgtest.WithoutRiver())
}

func as(tenant, user string) context.Context {
	return identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "s-" + user, TenantId: tenant, UserId: user})
}
