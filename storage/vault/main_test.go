package vault_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"go.uber.org/goleak"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
	"github.com/footingdev/footing/storage/vault"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newTenant creates an organization (a tenant) in db and returns a context whose
// Principal belongs to it.
func newTenant(t testing.TB, db *pgtest.DB) context.Context {
	t.Helper()
	id := uuid.NewString()
	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "s", TenantId: id, UserId: "u-" + id[:8]})
	err := rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO organizations (id, slug, display_name) VALUES ($1, $2, 'Test')`, id, "org-"+id[:8])
		return err
	})
	if err != nil {
		t.Fatalf("create tenant: %v", err)
	}
	return ctx
}

func keyring(t testing.TB, active string, ids ...string) *vault.Keyring {
	t.Helper()
	keys := make(map[string][]byte)
	for _, id := range ids {
		keys[id] = testKey(id)
	}
	k, err := vault.NewKeyring(active, keys)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testKey is a fixed key per id, so that two keyrings in one test agree.
func testKey(id string) []byte {
	k := make([]byte, vault.KeySize)
	copy(k, "test-key-"+id)
	return k
}
