package vault_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
	"github.com/footingdev/footing/storage/vault"
)

const (
	secretAccess  = "ya29.ACCESS-secret-4f1c9e"
	secretRefresh = "1//REFRESH-secret-8a2d77"
)

func sample() vault.Token {
	return vault.Token{AccessToken: secretAccess, TokenType: "Bearer", RefreshToken: secretRefresh,
		Expiry: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func TestStoredBytesNeverContainPlaintext(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	ctx := newTenant(t, db)
	v := vault.New(db.App, keyring(t, "k1", "k1"))
	if err := v.Put(ctx, "google", sample()); err != nil {
		t.Fatal(err)
	}
	got, err := v.Get(ctx, "google")
	if err != nil || got.AccessToken != secretAccess || got.RefreshToken != secretRefresh || !got.Expiry.Equal(sample().Expiry) {
		t.Fatalf("round trip: %v %v", got, err)
	}

	// Everything Postgres holds for the row, read past RLS by the superuser.
	su, err := pgx.Connect(context.Background(), db.SuperuserURL())
	if err != nil {
		t.Fatal(err)
	}
	defer su.Close(context.Background())
	var rowText string
	var sealed []byte
	if err := su.QueryRow(context.Background(),
		`SELECT t::text, ciphertext FROM oauth_tokens t`).Scan(&rowText, &sealed); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{secretAccess, secretRefresh, "ACCESS-secret", "REFRESH-secret"} {
		if strings.Contains(rowText, secret) || bytes.Contains(sealed, []byte(secret)) {
			t.Fatalf("stored row contains %q", secret)
		}
	}
	if !strings.Contains(rowText, "k1") {
		t.Fatalf("row does not record its key id: %s", rowText)
	}
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	a, b := newTenant(t, db), newTenant(t, db)
	v := vault.New(db.App, keyring(t, "k1", "k1"))
	if err := v.Put(a, "github", sample()); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Get(b, "github"); errs.From(err).Reason != "VAULT_TOKEN_NOT_FOUND" {
		t.Fatalf("tenant B reading A's account: %v, want VAULT_TOKEN_NOT_FOUND", err)
	}
	if _, err := v.Get(context.Background(), "github"); errs.From(err).Code != connect.CodeUnauthenticated {
		t.Fatalf("no principal: %v, want Unauthenticated", err)
	}

	// A sealed value copied into another tenant's row does not open there: the
	// ciphertext is bound to its tenant and account.
	if err := v.Put(b, "github", vault.Token{AccessToken: "b-token"}); err != nil {
		t.Fatal(err)
	}
	su, err := pgx.Connect(context.Background(), db.SuperuserURL())
	if err != nil {
		t.Fatal(err)
	}
	defer su.Close(context.Background())
	scopeA, _ := rls.ScopeFrom(a)
	scopeB, _ := rls.ScopeFrom(b)
	if _, err := su.Exec(context.Background(), `
		UPDATE oauth_tokens SET ciphertext = (SELECT ciphertext FROM oauth_tokens WHERE tenant_id = $1)
		WHERE tenant_id = $2`, scopeA.TenantID, scopeB.TenantID); err != nil {
		t.Fatal(err)
	}
	got, err := v.Get(b, "github")
	if err == nil || errs.From(err).Code != connect.CodeInternal {
		t.Fatalf("transplanted ciphertext opened in tenant B: %v %v", got, err)
	}
	if strings.Contains(err.Error(), secretAccess) {
		t.Fatalf("error leaks the token: %v", err)
	}
}

func TestRotation(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	a, b := newTenant(t, db), newTenant(t, db)
	old := vault.New(db.App, keyring(t, "k1", "k1"))
	for _, ctx := range []context.Context{a, b} {
		for _, acct := range []string{"google", "github"} {
			if err := old.Put(ctx, acct, sample()); err != nil {
				t.Fatal(err)
			}
		}
	}

	// A keyring without k1 cannot open k1's tokens, and says why.
	if _, err := vault.New(db.App, keyring(t, "k2", "k2")).Get(a, "google"); errs.From(err).Reason != "VAULT_UNKNOWN_KEY" {
		t.Fatalf("k2-only keyring on a k1 token: %v, want VAULT_UNKNOWN_KEY", err)
	}

	both := vault.New(db.App, keyring(t, "k2", "k1", "k2"))
	if got, err := both.Get(a, "google"); err != nil || got.AccessToken != secretAccess {
		t.Fatalf("old key no longer decrypts: %v", err)
	}
	if err := both.Put(a, "slack", sample()); err != nil {
		t.Fatal(err)
	}
	if n := countByKey(t, db, "k2"); n != 1 {
		t.Fatalf("a new write used the old key: %d rows under k2, want 1", n)
	}

	r, err := both.Rotate(a)
	if err != nil || r.Resealed != 2 || len(r.Skipped) != 0 {
		t.Fatalf("Rotate(tenant A) = %+v, %v; want 2 re-sealed", r, err)
	}
	if got := countByKey(t, db, "k1"); got != 2 {
		t.Fatalf("tenant rotation touched other tenants: %d rows under k1, want B's 2", got)
	}
	r, err = both.RotateAll(context.Background(), rls.NewSystem(db.System))
	if err != nil || r.Resealed != 2 || len(r.Skipped) != 0 {
		t.Fatalf("RotateAll = %+v, %v; want B's 2", r, err)
	}
	if got := countByKey(t, db, "k1"); got != 0 {
		t.Fatalf("%d rows still under k1 after RotateAll", got)
	}

	newOnly := vault.New(db.App, keyring(t, "k2", "k2"))
	for _, ctx := range []context.Context{a, b} {
		if got, err := newOnly.Get(ctx, "google"); err != nil || got.AccessToken != secretAccess {
			t.Fatalf("after rotation the new key alone does not open: %v", err)
		}
	}
}

func countByKey(t *testing.T, db *pgtest.DB, keyID string) int {
	t.Helper()
	su, err := pgx.Connect(context.Background(), db.SuperuserURL())
	if err != nil {
		t.Fatal(err)
	}
	defer su.Close(context.Background())
	var n int
	if err := su.QueryRow(context.Background(), `SELECT count(*) FROM oauth_tokens WHERE key_id = $1`, keyID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDeleteAndValidation(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	ctx := newTenant(t, db)
	v := vault.New(db.App, keyring(t, "k1", "k1"))
	if err := v.Put(ctx, "x", sample()); err != nil {
		t.Fatal(err)
	}
	if err := v.Delete(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Get(ctx, "x"); errs.From(err).Code != connect.CodeNotFound {
		t.Fatalf("after delete: %v, want NotFound", err)
	}
	if err := v.Put(ctx, "", sample()); errs.From(err).Code != connect.CodeInvalidArgument {
		t.Fatalf("empty account: %v, want InvalidArgument", err)
	}
	if err := v.Put(ctx, strings.Repeat("a", 201), sample()); errs.From(err).Code != connect.CodeInvalidArgument {
		t.Fatalf("long account: %v, want InvalidArgument", err)
	}
}
