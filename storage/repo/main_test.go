package repo_test

import (
	"context"
	"testing"
	"testing/fstest"
	"time"

	"go.uber.org/goleak"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/repo"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var schema = fstest.MapFS{"01001_notes.sql": &fstest.MapFile{Data: []byte(`
-- +goose Up
CREATE TABLE notes (
    tenant_id   uuid NOT NULL,
    id          bigserial PRIMARY KEY,
    title       text NOT NULL,
    rank        int NOT NULL DEFAULT 0 CHECK (rank >= 0),
    version     bigint NOT NULL DEFAULT 1,
    create_time timestamptz NOT NULL DEFAULT now(),
    update_time timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, title)
);
SELECT footing_enable_tenant_rls('notes');
CREATE TABLE attachments (
    tenant_id uuid NOT NULL DEFAULT footing_current_tenant(),
    id        bigserial PRIMARY KEY,
    note_id   bigint NOT NULL REFERENCES notes (id)
);
SELECT footing_enable_tenant_rls('attachments');
CREATE TABLE plain (id bigint PRIMARY KEY, title text NOT NULL);
CREATE TABLE tagged (
    tenant_id uuid NOT NULL,
    id        bigserial PRIMARY KEY,
    tags      text[] NOT NULL DEFAULT '{}',
    nums      int[] NOT NULL DEFAULT '{}',
    rank      int NOT NULL DEFAULT 0,
    version   bigint NOT NULL DEFAULT 1
);
SELECT footing_enable_tenant_rls('tagged');
CREATE INDEX tagged_tags ON tagged USING gin (tags);
-- +goose Down
DROP TABLE tagged;
DROP TABLE plain;
DROP TABLE attachments;
DROP TABLE notes;
`)}}

// Note is a row of the test table.
type Note struct {
	TenantID   string    `db:"tenant_id"`
	ID         int64     `db:"id"`
	Title      string    `db:"title"`
	Rank       int32     `db:"rank"`
	Version    int64     `db:"version"`
	CreateTime time.Time `db:"create_time"`
	UpdateTime time.Time `db:"update_time"`
}

var tokenKey = []byte("0123456789abcdef0123456789abcdef")

func newRepo(t testing.TB, cfg repo.Config) (*repo.Repo[Note], *pgtest.DB) {
	t.Helper()
	db := pgtest.New(t, pgtest.WithMigrations(schema), pgtest.WithoutRiver())
	if cfg.Table == "" {
		cfg.Table = "notes"
	}
	cfg.TokenKey = tokenKey
	r, err := repo.New[Note](db.App, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r, db
}

func as(tenant string) context.Context {
	return identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "s", UserId: "u", TenantId: tenant})
}
