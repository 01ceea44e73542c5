package repo_test

import (
	"testing"
	"testing/fstest"

	"github.com/google/uuid"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/repo"
)

var archivable = fstest.MapFS{"01001_docs.sql": &fstest.MapFile{Data: []byte(`
-- +goose Up
CREATE TABLE docs (
    tenant_id   uuid NOT NULL,
    id          bigserial PRIMARY KEY,
    archived_by text,
    version     bigint NOT NULL DEFAULT 1
);
SELECT footing_enable_tenant_rls('docs');
-- +goose Down
DROP TABLE docs;
`)}}

// Doc is a row with a nullable column.
type Doc struct {
	TenantID   string  `db:"tenant_id"`
	ID         int64   `db:"id"`
	ArchivedBy *string `db:"archived_by"`
	Version    int64   `db:"version"`
}

// TestEqNilIsNull: Eq(col, nil) was col = NULL, which is never true, so "the rows not
// archived" listed nothing, silently. A nil value (untyped, or a nil pointer) now means
// col IS NULL, and pages through like any filter.
func TestEqNilIsNull(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithMigrations(archivable), pgtest.WithoutRiver())
	r, err := repo.New[Doc](db.App, repo.Config{Table: "docs", TokenKey: tokenKey})
	if err != nil {
		t.Fatal(err)
	}
	ctx := as(uuid.NewString())
	who := "ada"
	for i := range 5 {
		d := Doc{}
		if i%2 == 0 {
			d.ArchivedBy = &who
		}
		if _, err := r.Create(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	for name, v := range map[string]any{"untyped nil": nil, "nil pointer": (*string)(nil)} {
		var all []Doc
		req := &commonv1.PageRequest{PageSize: 1}
		for {
			items, resp, err := r.List(ctx, req, repo.Eq("archived_by", v))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			all = append(all, items...)
			if resp.GetNextPageToken() == "" {
				break
			}
			req.PageToken = resp.GetNextPageToken()
		}
		if len(all) != 2 {
			t.Fatalf("%s: Eq(archived_by, nil) listed %d rows; want the 2 not archived", name, len(all))
		}
		for _, d := range all {
			if d.ArchivedBy != nil {
				t.Fatalf("%s: listed an archived row %+v", name, d)
			}
		}
	}
	items, _, err := r.List(ctx, nil, repo.Eq("archived_by", "ada"), repo.Eq("version", int64(1)))
	if err != nil || len(items) != 3 {
		t.Fatalf("Eq(archived_by, ada): %d rows, %v; want 3", len(items), err)
	}
}
