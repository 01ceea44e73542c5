package flags_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/open-feature/go-sdk/openfeature"
	"go.uber.org/goleak"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

func TestMain(m *testing.M) {
	code := m.Run()
	// The OpenFeature API runs event goroutines until it is shut down.
	openfeature.Shutdown()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// newTenant creates an organization in db and returns a context for user in it.
func newTenant(t testing.TB, db *pgtest.DB) string {
	t.Helper()
	id := uuid.NewString()
	ctx := as(id, "admin")
	err := rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO organizations (id, slug, display_name) VALUES ($1, $2, 'Test')`, id, "org-"+id[:8])
		return err
	})
	if err != nil {
		t.Fatalf("create tenant: %v", err)
	}
	return id
}

func as(tenant, user string) context.Context {
	return identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "s-" + user, TenantId: tenant, UserId: user})
}

func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}
