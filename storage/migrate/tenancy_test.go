package migrate_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

// TestTenancyTablesAreIsolated checks footing's own organizations, users and memberships
// under RLS: a tenant creates and sees only its own organization and its rows.
func TestTenancyTablesAreIsolated(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	a, b := uuid.NewString(), uuid.NewString()
	for _, tenant := range []string{a, b} {
		ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "s", TenantId: tenant})
		err := rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO organizations (id, slug, display_name) VALUES ($1, $2, 'Org')", tenant, "org-"+tenant[:8]); err != nil {
				return err
			}
			var user string
			if err := tx.QueryRow(ctx, "INSERT INTO users (tenant_id, email) VALUES ($1, 'x@example.com') RETURNING id::text", tenant).Scan(&user); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO memberships (tenant_id, user_id, roles) VALUES ($1, $2, '{admin}')", tenant, user)
			return err
		})
		if err != nil {
			t.Fatalf("tenant %s: %v", tenant, err)
		}
	}
	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "s", TenantId: a})
	err := rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
		for _, table := range []string{"organizations", "users", "memberships"} {
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
				return err
			}
			if n != 1 {
				t.Errorf("%s: tenant sees %d rows, want 1", table, n)
			}
		}
		_, err := tx.Exec(ctx, "INSERT INTO organizations (id, slug, display_name) VALUES ($1, 'other', 'Other')", uuid.NewString())
		return err
	})
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "42501" {
		t.Fatalf("creating another tenant's organization: %v; want 42501", err)
	}
}

// TestMembershipNamesAUserOfItsTenant checks that a membership can only name a user of its
// own tenant. Foreign keys are checked without row-level security, so a membership whose
// key is user_id alone accepted another tenant's user: tenant A could give B's user roles
// in A, tell from the error whether any tenant has a user with a given id, and lose the
// membership when B deleted its user.
func TestMembershipNamesAUserOfItsTenant(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	users := map[string]string{}
	for _, tenant := range []string{uuid.NewString(), uuid.NewString()} {
		ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "s", TenantId: tenant})
		err := rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO organizations (id, slug, display_name) VALUES ($1, $2, 'Org')", tenant, "org-"+tenant[:8]); err != nil {
				return err
			}
			var user string
			err := tx.QueryRow(ctx, "INSERT INTO users (tenant_id, email) VALUES ($1, 'x@example.com') RETURNING id::text", tenant).Scan(&user)
			users[tenant] = user
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var a, b string
	for tenant := range users {
		if a == "" {
			a = tenant
		} else {
			b = tenant
		}
	}
	ctx := identity.WithPrincipal(context.Background(), &commonv1.Principal{Subject: "s", TenantId: a})
	insert := func(user string) error {
		return rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO memberships (tenant_id, user_id, roles) VALUES ($1, $2, '{admin}')", a, user)
			return err
		})
	}
	var pe *pgconn.PgError
	if err := insert(users[b]); !errors.As(err, &pe) || pe.Code != "23503" {
		t.Fatalf("tenant A's membership for tenant B's user: %v; want 23503 foreign_key_violation", err)
	}
	// Another tenant's user and no user at all look the same.
	if err := insert(uuid.NewString()); !errors.As(err, &pe) || pe.Code != "23503" {
		t.Fatalf("membership for a missing user: %v; want 23503", err)
	}
	if err := insert(users[a]); err != nil {
		t.Fatalf("membership for the tenant's own user: %v", err)
	}
	// Deleting the user removes its memberships.
	if err := rls.InTenant(ctx, db.App, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM users WHERE id = $1", users[a]); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM memberships").Scan(&n); err != nil {
			return err
		}
		if n != 0 {
			t.Errorf("%d memberships left after their user was deleted", n)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
