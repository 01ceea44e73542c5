package vault_test

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
	"github.com/footingdev/footing/storage/vault"
)

func Example() {
	// A migrated database from TEST_DATABASE_URL; a service uses its own pool.
	db, err := pgtest.Create(context.Background(), pgtest.WithoutRiver())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	tenant := uuid.NewString()
	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{TenantId: tenant, UserId: "u1"})
	_ = rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO organizations (id, slug, display_name) VALUES ($1, 'acme', 'Acme')`, tenant)
		return err
	})

	// In a service: vault.KeyringFromEnv() reads VAULT_KEYS and VAULT_ACTIVE_KEY.
	keys, err := vault.NewKeyring("2026-11", map[string][]byte{"2026-11": vault.GenerateKey()})
	if err != nil {
		fmt.Println(err)
		return
	}
	v := vault.New(db.App, keys)
	tok := vault.Token{AccessToken: "secret-access", TokenType: "Bearer", RefreshToken: "secret-refresh",
		Expiry: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := v.Put(ctx, "google", tok); err != nil {
		fmt.Println(err)
		return
	}
	got, err := v.Get(ctx, "google")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(got) // safe to print: secrets are redacted
	fmt.Println(got.AccessToken == "secret-access")
	// Output:
	// vault.Token{type=Bearer access=[redacted] refresh=[redacted] expiry=2030-01-01T00:00:00Z}
	// true
}
