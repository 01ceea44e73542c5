package repo_test

import (
	"database/sql"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/repo"
)

// DocNullString and DocPgText map the nullable column as sql.NullString and pgtype.Text.
type DocNullString struct {
	TenantID   string         `db:"tenant_id"`
	ID         int64          `db:"id"`
	ArchivedBy sql.NullString `db:"archived_by"`
	Version    int64          `db:"version"`
}

type DocPgText struct {
	TenantID   string      `db:"tenant_id"`
	ID         int64       `db:"id"`
	ArchivedBy pgtype.Text `db:"archived_by"`
	Version    int64       `db:"version"`
}

// TestListOrderedByNullableColumnListsEveryRow: keyset pages on a nullable order
// column. A page ending on a row whose order value is NULL gave a token whose
// condition, (col, id) > (NULL, id), is never true: the next page was empty and the
// listing ended there, silently dropping every row after it — ascending, the rest of the
// NULL rows (NULLs sort last); descending, every row with a value (NULLs sort first).
func TestListOrderedByNullableColumnListsEveryRow(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithMigrations(archivable), pgtest.WithoutRiver())
	ctx := as(uuid.NewString())
	seed, err := repo.New[Doc](db.App, repo.Config{Table: "docs", TokenKey: tokenKey})
	if err != nil {
		t.Fatal(err)
	}
	// NULL and non-NULL interleaved by id, and a tie among the values.
	for i, who := range []string{"", "b", "", "a", "", "b", "", "c", ""} {
		d := Doc{}
		if who != "" {
			d.ArchivedBy = &who
		}
		if _, err := seed.Create(ctx, d); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
	}
	// want is the order Postgres gives ORDER BY archived_by [DESC], id [DESC].
	want := func(desc bool) []string {
		asc := []string{"a/4", "b/2", "b/6", "c/8", "-/1", "-/3", "-/5", "-/7", "-/9"}
		if !desc {
			return asc
		}
		out := make([]string, len(asc))
		for i, s := range asc {
			out[len(asc)-1-i] = s
		}
		return out
	}
	for _, desc := range []bool{false, true} {
		cfg := repo.Config{Table: "docs", OrderColumn: "archived_by", Descending: desc, TokenKey: tokenKey}
		for _, size := range []int32{1, 2, 4} {
			name := fmt.Sprintf("desc=%v/size=%d", desc, size)
			t.Run(name+"/pointer", func(t *testing.T) {
				checkPages(t, cfg, size, want(desc), db, func(d Doc) string {
					if d.ArchivedBy == nil {
						return fmt.Sprintf("-/%d", d.ID)
					}
					return fmt.Sprintf("%s/%d", *d.ArchivedBy, d.ID)
				})
			})
			t.Run(name+"/sql.NullString", func(t *testing.T) {
				checkPages(t, cfg, size, want(desc), db, func(d DocNullString) string {
					if !d.ArchivedBy.Valid {
						return fmt.Sprintf("-/%d", d.ID)
					}
					return fmt.Sprintf("%s/%d", d.ArchivedBy.String, d.ID)
				})
			})
			t.Run(name+"/pgtype.Text", func(t *testing.T) {
				checkPages(t, cfg, size, want(desc), db, func(d DocPgText) string {
					if !d.ArchivedBy.Valid {
						return fmt.Sprintf("-/%d", d.ID)
					}
					return fmt.Sprintf("%s/%d", d.ArchivedBy.String, d.ID)
				})
			})
		}
	}
}

func checkPages[T any](t *testing.T, cfg repo.Config, size int32, want []string, db *pgtest.DB, show func(T) string) {
	t.Helper()
	r, err := repo.New[T](db.App, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := as(tenantOfDocs(t, db))
	var got []string
	req := &commonv1.PageRequest{PageSize: size}
	for pages := 0; ; pages++ {
		if pages > len(want) {
			t.Fatalf("more pages than rows; so far %v", got)
		}
		items, resp, err := r.List(ctx, req)
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		for _, it := range items {
			got = append(got, show(it))
		}
		if resp.GetNextPageToken() == "" {
			break
		}
		req.PageToken = resp.GetNextPageToken()
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("listed %v\nwant     %v", got, want)
	}
}

// tenantOfDocs is the one tenant the docs table holds (read as the system role).
func tenantOfDocs(t *testing.T, db *pgtest.DB) string {
	t.Helper()
	var tenant string
	if err := db.System.QueryRow(t.Context(), "SELECT DISTINCT tenant_id::text FROM docs").Scan(&tenant); err != nil {
		t.Fatal(err)
	}
	return tenant
}
