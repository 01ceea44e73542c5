package pg_test

import (
	"context"
	"errors"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/pg"
	"github.com/footingdev/footing/storage/pgtest"
	"github.com/footingdev/footing/storage/rls"
)

// nonEnglishLocales are tried for lc_messages; the first the server accepts is used.
var nonEnglishLocales = []string{"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "es_ES.UTF-8", "es_ES.utf8", "de_DE", "fr_FR"}

// TestMapErrorFromPostgres raises each mapped SQLSTATE in a real Postgres, as the app
// role under tenant RLS, and checks what MapError makes of it.
func TestMapErrorFromPostgres(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.WithoutRiver())
	ctx := context.Background()
	_, err := db.Owner.Exec(ctx, `
		CREATE TABLE bookings (
			tenant_id uuid NOT NULL,
			id int PRIMARY KEY,
			during tstzrange NOT NULL,
			CONSTRAINT bookings_no_overlap EXCLUDE USING gist (during WITH &&)
		);
		SELECT footing_enable_tenant_rls('bookings');
		CREATE TABLE ungranted (id int);
		REVOKE ALL ON ungranted FROM footing_app;`)
	if err != nil {
		t.Fatal(err)
	}
	tenant, other := uuid.NewString(), uuid.NewString()
	tctx := identity.WithPrincipal(ctx, &commonv1.Principal{Subject: "s", TenantId: tenant, UserId: "u"})
	inTenant := func(sql string, args ...any) error {
		return pg.MapError(rls.InTenant(tctx, db.App, func(tx pgx.Tx) error {
			_, err := tx.Exec(tctx, sql, args...)
			return err
		}))
	}
	want := func(t *testing.T, err error, code connect.Code, reason string) {
		t.Helper()
		if d := errs.From(err); d.Code != code || d.Reason != reason {
			t.Fatalf("got %v %q (%v), want %v %q", d.Code, d.Reason, err, code, reason)
		}
	}
	if err := inTenant(`INSERT INTO bookings VALUES ($1, 1, '[2026-01-01,2026-01-03)')`, tenant); err != nil {
		t.Fatal(err)
	}

	t.Run("row security", func(t *testing.T) {
		want(t, inTenant(`INSERT INTO bookings VALUES ($1, 2, '[2027-01-01,2027-01-02)')`, other), connect.CodePermissionDenied, pg.ReasonRowSecurity)
		want(t, inTenant(`UPDATE bookings SET tenant_id = $1`, other), connect.CodePermissionDenied, pg.ReasonRowSecurity)
	})
	t.Run("text the database cannot hold", func(t *testing.T) {
		// 22021: a NUL byte or invalid UTF-8 in a text value; 22P05: \u0000 in jsonb.
		// Both are the caller's bad value, not the server's fault.
		for _, v := range []string{"a\x00b", "a\xffb"} {
			want(t, inTenant(`SELECT $1::text`, v), connect.CodeInvalidArgument, pg.ReasonInvalidValue)
		}
		want(t, inTenant(`SELECT $1::jsonb`, `{"a": "\u0000"}`), connect.CodeInvalidArgument, pg.ReasonInvalidValue)
	})
	t.Run("a pattern the caller wrote", func(t *testing.T) {
		// 22025: a LIKE pattern ending in the escape character; 2201B: a regular
		// expression that does not compile. Search endpoints pass such patterns on.
		want(t, inTenant(`SELECT 'abc' LIKE $1`, `a\`), connect.CodeInvalidArgument, pg.ReasonInvalidValue)
		want(t, inTenant(`SELECT 'abc' ~ $1`, `(`), connect.CodeInvalidArgument, pg.ReasonInvalidValue)
	})
	t.Run("a page the caller asked for", func(t *testing.T) {
		// 2201W: a negative LIMIT; 2201X: a negative OFFSET. Paging endpoints pass the
		// caller's numbers on.
		want(t, inTenant(`SELECT 1 LIMIT $1::int`, -1), connect.CodeInvalidArgument, pg.ReasonInvalidValue)
		want(t, inTenant(`SELECT 1 OFFSET $1::int`, -1), connect.CodeInvalidArgument, pg.ReasonInvalidValue)
	})
	t.Run("missing grant is not row security", func(t *testing.T) {
		want(t, inTenant(`SELECT * FROM ungranted`), connect.CodeInternal, "INTERNAL")
	})
	t.Run("exclusion", func(t *testing.T) {
		err := inTenant(`INSERT INTO bookings VALUES ($1, 3, '[2026-01-02,2026-01-04)')`, tenant)
		want(t, err, connect.CodeFailedPrecondition, pg.ReasonExclusionViolation)
		if c := errs.From(err).Metadata["constraint"]; c != "bookings_no_overlap" {
			t.Fatalf("constraint metadata %q, want bookings_no_overlap", c)
		}
	})
	t.Run("lock not available", func(t *testing.T) {
		err := rls.InTenant(tctx, db.App, func(tx pgx.Tx) error {
			if _, err := tx.Exec(tctx, `SELECT id FROM bookings WHERE id = 1 FOR UPDATE`); err != nil {
				return err
			}
			// A second transaction, on another connection, while the first holds the row.
			return rls.InTenant(tctx, db.App, func(tx2 pgx.Tx) error {
				_, err := tx2.Exec(tctx, `SELECT id FROM bookings WHERE id = 1 FOR UPDATE NOWAIT`)
				return err
			})
		})
		want(t, pg.MapError(err), connect.CodeAborted, pg.ReasonLockNotAvailable)
		if !pg.IsRetryable(err) || !pg.IsRetryable(pg.MapError(err)) {
			t.Fatal("lock_not_available is not retryable")
		}
	})

	// The same row-security violation with messages in another language, if this
	// server has such a locale: MapError must not depend on the English text.
	t.Run("row security in another language", func(t *testing.T) {
		conn, err := pgx.Connect(ctx, db.SuperuserURL())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		locale := ""
		for _, l := range nonEnglishLocales {
			if _, err := conn.Exec(ctx, `SELECT set_config('lc_messages', $1, false)`, l); err == nil {
				locale = l
				break
			}
		}
		if locale == "" {
			t.Log("no non-English locale installed on the server; the translated message is covered by TestMapError")
		}
		// Superusers bypass RLS: run the insert as the app role, keeping lc_messages.
		_, err = conn.Exec(ctx, `SET ROLE footing_app`)
		if err == nil {
			err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, `SELECT set_config('app.tenant_id', $1, true)`, tenant); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, `INSERT INTO bookings VALUES ($1, 4, '[2028-01-01,2028-01-02)')`, other)
				return err
			})
		}
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "42501" {
			t.Fatalf("got %v, want a 42501 row-security violation", err)
		}
		t.Logf("lc_messages %q: %s", locale, pe.Message)
		want(t, pg.MapError(err), connect.CodePermissionDenied, pg.ReasonRowSecurity)
	})
}
