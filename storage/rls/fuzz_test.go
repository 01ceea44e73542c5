package rls_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/storage/rls"
)

// FuzzUserIDReachesPostgresVerbatim sends untrusted user ids through InTenant's one-round-trip
// BEGIN: each is either refused or arrives in app.user_id unchanged, never as SQL.
func FuzzUserIDReachesPostgresVerbatim(f *testing.F) {
	db := newDB(f)
	pool := db.Pool(f, rls.AppRole, 1)
	for _, s := range []string{"", "u1", "o'brien", `back\slash`, `\'; DROP TABLE notes; --`, "'', true); SELECT 1; --", "ünï", "$$", "E'x'", "\x00"} {
		f.Add(s)
	}
	tenant := uuid.NewString()
	f.Fuzz(func(t *testing.T, user string) {
		ctx := as(tenant, user)
		var got string
		err := rls.InTenant(ctx, pool, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, "SELECT current_setting('app.user_id')").Scan(&got)
		})
		valid := utf8.ValidString(user) && !strings.ContainsRune(user, 0) && len(user) <= 256
		if valid && (err != nil || got != user) {
			t.Fatalf("user %q: got %q, %v", user, got, err)
		}
		if !valid && err == nil && got != user {
			t.Fatalf("user %q arrived as %q", user, got)
		}
		var n int
		if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM pg_tables WHERE tablename = 'notes'").Scan(&n); err != nil || n != 1 {
			t.Fatalf("notes table gone after %q: %d, %v", user, n, err)
		}
	})
}
