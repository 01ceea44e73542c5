package vault_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/vault"
)

// BenchmarkGet compares Vault.Get (tenant transaction under RLS, AES-GCM open, JSON)
// with a bare single-row SELECT of the same sealed bytes by a role without RLS,
// interleaved in one loop. ratio = vault time / bare time.
func BenchmarkGet(b *testing.B) {
	db := pgtest.New(b, pgtest.WithoutRiver())
	ctx := newTenant(b, db)
	v := vault.New(db.App, keyring(b, "k1", "k1"))
	if err := v.Put(ctx, "google", sample()); err != nil {
		b.Fatal(err)
	}
	bare, err := pgxpool.New(context.Background(), db.SuperuserURL())
	if err != nil {
		b.Fatal(err)
	}
	defer bare.Close()
	for range 20 { // open and warm both pools' connections
		var sealed []byte
		if err := bare.QueryRow(context.Background(), `SELECT ciphertext FROM oauth_tokens`).Scan(&sealed); err != nil {
			b.Fatal(err)
		}
		if _, err := v.Get(ctx, "google"); err != nil {
			b.Fatal(err)
		}
	}
	var tb, tv time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		var sealed []byte
		if err := bare.QueryRow(context.Background(),
			`SELECT ciphertext FROM oauth_tokens WHERE account = $1`, "google").Scan(&sealed); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := v.Get(ctx, "google"); err != nil {
			b.Fatal(err)
		}
		tv += time.Since(t1)
		tb += t1.Sub(t0)
	}
	b.ReportMetric(float64(tb.Nanoseconds())/float64(b.N), "bare-ns/op")
	b.ReportMetric(float64(tv.Nanoseconds())/float64(b.N), "vault-ns/op")
	b.ReportMetric(float64(tv)/float64(tb), "ratio")
}
