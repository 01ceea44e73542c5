package vault_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
	"github.com/footingdev/footing/storage/vault"
)

// TestRotationSkipsRowsItCannotOpen: one token sealed with a key that has left the
// keyring, among good tokens of two tenants, must not stop the rotation. Every good
// token is re-sealed (across several batches), the lost one is reported by id alone
// and left as it is, and the error says the rotation is incomplete.
func TestRotationSkipsRowsItCannotOpen(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		rotate func(v *vault.Vault, db *pgtest.DB, a context.Context) (vault.Rotation, error)
		good   int // tokens the rotation should re-seal: tenant A's 3, or both tenants' 6
	}{
		{"RotateAll", func(v *vault.Vault, db *pgtest.DB, _ context.Context) (vault.Rotation, error) {
			return v.RotateAll(context.Background(), rls.NewSystem(db.System))
		}, 6},
		{"Rotate", func(v *vault.Vault, _ *pgtest.DB, a context.Context) (vault.Rotation, error) {
			return v.Rotate(a)
		}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := pgtest.New(t, pgtest.WithoutRiver())
			a, b := newTenant(t, db), newTenant(t, db)
			old := vault.New(db.App, keyring(t, "k1", "k1"))
			for _, ctx := range []context.Context{a, b} {
				for i := range 3 {
					if err := old.Put(ctx, fmt.Sprintf("acct-%d", i), sample()); err != nil {
						t.Fatal(err)
					}
				}
			}
			// "acct-1x" sorts between A's good rows, so batches run on past it.
			if err := vault.New(db.App, keyring(t, "k0", "k0")).Put(a, "acct-1x", sample()); err != nil {
				t.Fatal(err)
			}

			v := vault.New(db.App, keyring(t, "k2", "k1", "k2")) // k0 is gone
			vault.SetRotateBatch(v, 2)
			r, err := tc.rotate(v, db, a)
			if d := errs.From(err); d.Code != connect.CodeFailedPrecondition || d.Reason != "VAULT_ROTATION_INCOMPLETE" || d.Metadata["skipped"] != "1" {
				t.Fatalf("error = %v (%+v), want FailedPrecondition VAULT_ROTATION_INCOMPLETE skipped=1", err, d)
			}
			if strings.Contains(err.Error(), secretAccess) || strings.Contains(err.Error(), secretRefresh) {
				t.Fatalf("error shows token material: %v", err)
			}
			tenantA, _ := identity.TenantID(a)
			want := []vault.TokenID{{TenantID: tenantA, Account: "acct-1x"}}
			if r.Resealed != tc.good || !reflect.DeepEqual(r.Skipped, want) {
				t.Fatalf("rotation = %+v, want %d re-sealed and skipped %v", r, tc.good, want)
			}
			if got := countByKey(t, db, "k2"); got != tc.good {
				t.Fatalf("%d rows under the active key, want %d", got, tc.good)
			}
			if got := countByKey(t, db, "k0"); got != 1 {
				t.Fatalf("%d rows under the lost key, want the skipped one left as it was", got)
			}
			newOnly := vault.New(db.App, keyring(t, "k2", "k2"))
			if got, err := newOnly.Get(a, "acct-2"); err != nil || got.AccessToken != secretAccess {
				t.Fatalf("a good row after the lost one was not re-sealed: %v", err)
			}
		})
	}
}
