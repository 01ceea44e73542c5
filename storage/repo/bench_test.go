package repo_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/footingdev/footing/storage/repo"
)

// BenchmarkGet compares a tenant-scoped Get through repo (RLS, app role, one pipelined round
// trip) with a raw pgx single-row query on the same table as a superuser, which RLS does not
// apply to. Each iteration runs both (interleaved, so that load on a shared machine hits
// both alike) and the benchmark reports repo's time over raw's as "ratio" (target <= 1.3).
func BenchmarkGet(b *testing.B) {
	r, db := newRepo(b, repo.Config{})
	ctx := as(uuid.NewString())
	n, err := r.Create(ctx, Note{Title: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	// Same rows for other tenants, so that RLS has something to filter.
	for range 200 {
		if _, err := r.Create(as(uuid.NewString()), Note{Title: "other"}); err != nil {
			b.Fatal(err)
		}
	}
	appPool := db.Pool(b, "footing_app", 2)
	r, err = repo.New[Note](appPool, repo.Config{Table: "notes", TokenKey: tokenKey})
	if err != nil {
		b.Fatal(err)
	}
	raw, err := pgxpool.New(context.Background(), db.SuperuserURL())
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	bg := context.Background()
	rawGet := func() error {
		var v Note
		return raw.QueryRow(bg, "SELECT tenant_id, id, title, rank, version, create_time, update_time FROM notes WHERE id = $1", n.ID).
			Scan(&v.TenantID, &v.ID, &v.Title, &v.Rank, &v.Version, &v.CreateTime, &v.UpdateTime)
	}
	repoGet := func() error { _, err := r.Get(ctx, n.ID); return err }
	// Interleaved: each iteration runs both, so load changes on a shared machine hit both alike.
	var rawT, repoT time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := rawGet(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := repoGet(); err != nil {
			b.Fatal(err)
		}
		rawT += t1.Sub(t0)
		repoT += time.Since(t1)
	}
	b.ReportMetric(float64(rawT.Nanoseconds())/float64(b.N), "raw-ns/get")
	b.ReportMetric(float64(repoT.Nanoseconds())/float64(b.N), "repo-ns/get")
	b.ReportMetric(float64(repoT)/float64(rawT), "ratio")
}
