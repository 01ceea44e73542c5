package rls

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/storage/internal/tenantid"
	"github.com/footingdev/footing/storage/pg"
)

// Role names created by storage/migrate's first migration.
const (
	OwnerRole  = "footing_owner"
	AppRole    = "footing_app"
	SystemRole = "footing_system"
)

// Settings InTenant sets for the length of a transaction, read in SQL with
// footing_current_tenant() and footing_current_user().
const (
	TenantSetting = "app.tenant_id"
	UserSetting   = "app.user_id"
)

// maxUserIDLen bounds the user id written into the transaction.
const maxUserIDLen = 256

// A Beginner starts transactions: [*pgxpool.Pool] and [*pgx.Conn] are Beginners.
type Beginner interface {
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

// TxOptions are the transaction modes of [InTenantWith]. Values other than pgx's
// constants are InvalidArgument (TX_OPTIONS_INVALID), and no query is sent.
type TxOptions struct {
	// IsoLevel is the isolation level ([pgx.Serializable], ...); empty means the server
	// default (read committed).
	IsoLevel pgx.TxIsoLevel
	// AccessMode is read write (empty) or [pgx.ReadOnly].
	AccessMode pgx.TxAccessMode
	// Retries is how many more times fn is run after a serialization failure, deadlock or
	// lock not available (SQLSTATE 40001, 40P01, 55P03; [pg.IsRetryable]). fn must then be
	// safe to run again. Zero means no retry.
	Retries int
}

// InTenant runs fn in a transaction scoped to the tenant of the [commonv1.Principal] in ctx
// and commits it; it rolls back if fn returns an error, panics, or never returns
// (runtime.Goexit, as t.Fatal does in a test).
//
// Without a Principal it returns Unauthenticated (NO_PRINCIPAL); with a Principal that has no
// tenant, FailedPrecondition (NO_TENANT); with a tenant id that is not a UUID,
// FailedPrecondition (TENANT_ID_INVALID). In those cases no query is sent. Errors from fn
// come back unchanged; Postgres errors from BEGIN and COMMIT are mapped by [pg.MapError].
func InTenant(ctx context.Context, db Beginner, fn func(pgx.Tx) error) error {
	return InTenantWith(ctx, db, TxOptions{}, fn)
}

// InTenantWith is [InTenant] with transaction options.
func InTenantWith(ctx context.Context, db Beginner, opts TxOptions, fn func(pgx.Tx) error) error {
	scope, err := ScopeFrom(ctx)
	if err != nil {
		return err
	}
	b, err := beginSQL(opts)
	if err != nil {
		return err
	}
	begin := b + "; SELECT set_config('" + TenantSetting + "', " + quoteLiteral(scope.TenantID) +
		", true), set_config('" + UserSetting + "', " + quoteLiteral(scope.UserID) + ", true)"
	return runTx(ctx, db, pgx.TxOptions{BeginQuery: begin}, opts.Retries, fn)
}

// A Scope is the tenant and user a transaction runs for.
type Scope struct {
	TenantID string // canonical lower-case UUID
	UserID   string // may be empty
}

// ScopeFrom returns the [Scope] of the Principal in ctx, or the error [InTenant] would return.
func ScopeFrom(ctx context.Context) (Scope, error) {
	p, ok := identity.PrincipalFrom(ctx)
	if !ok {
		return Scope{}, errs.Unauthenticated("NO_PRINCIPAL", "no authenticated principal for a tenant-scoped transaction")
	}
	if p.GetTenantId() == "" {
		return Scope{}, errs.FailedPrecondition("NO_TENANT", "the principal has no tenant")
	}
	tid, ok := tenantid.Canonical(p.GetTenantId())
	if !ok {
		return Scope{}, errs.FailedPrecondition("TENANT_ID_INVALID", "the principal's tenant id is not a UUID")
	}
	uid := p.GetUserId()
	if len(uid) > maxUserIDLen || strings.ContainsRune(uid, 0) {
		return Scope{}, errs.FailedPrecondition("USER_ID_INVALID", "the principal's user id is too long or holds a NUL byte")
	}
	return Scope{TenantID: tid, UserID: uid}, nil
}

// beginSQL is the BEGIN statement for opts. The isolation level and access mode must be
// Postgres's (pgx's constants, any case): they are written into the statement, which goes
// out with the tenant's set_config as one simple-protocol message, so other text would run
// as SQL there — a session-level set_config of another tenant, left on the pooled
// connection. Anything else is InvalidArgument (TX_OPTIONS_INVALID), before any query.
func beginSQL(opts TxOptions) (string, error) {
	var b strings.Builder
	b.WriteString("BEGIN")
	if opts.IsoLevel != "" {
		switch iso := pgx.TxIsoLevel(strings.ToLower(string(opts.IsoLevel))); iso {
		case pgx.Serializable, pgx.RepeatableRead, pgx.ReadCommitted, pgx.ReadUncommitted:
			b.WriteString(" ISOLATION LEVEL ")
			b.WriteString(string(iso))
		default:
			return "", errTxOptions("IsoLevel", "not an isolation level")
		}
	}
	if opts.AccessMode != "" {
		switch mode := pgx.TxAccessMode(strings.ToLower(string(opts.AccessMode))); mode {
		case pgx.ReadWrite, pgx.ReadOnly:
			b.WriteString(" ")
			b.WriteString(string(mode))
		default:
			return "", errTxOptions("AccessMode", "not an access mode")
		}
	}
	return b.String(), nil
}

func errTxOptions(field, msg string) error {
	return errs.InvalidArgument("TX_OPTIONS_INVALID", "rls: invalid transaction options",
		errs.WithFieldViolation(field, msg, "INVALID"))
}

// quoteLiteral quotes s as a SQL string literal whatever standard_conforming_strings says.
// s holds no NUL byte (checked by the caller).
func quoteLiteral(s string) string {
	s = strings.ReplaceAll(s, "'", "''")
	if strings.Contains(s, `\`) {
		return `E'` + strings.ReplaceAll(s, `\`, `\\`) + `'`
	}
	return "'" + s + "'"
}

func runTx(ctx context.Context, db Beginner, txo pgx.TxOptions, retries int, fn func(pgx.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := runTxOnce(ctx, db, txo, fn)
		if err == nil || attempt >= retries || !pg.IsRetryable(err) || ctx.Err() != nil {
			return err
		}
	}
}

func runTxOnce(ctx context.Context, db Beginner, txo pgx.TxOptions, fn func(pgx.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, txo)
	if err != nil {
		return pg.MapError(err)
	}
	// fn may leave without returning: a panic, or runtime.Goexit (t.Fatal in a
	// test). The transaction is rolled back then too, so its connection goes back
	// to the pool instead of holding its locks forever.
	returned := false
	defer func() {
		if !returned {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	err = fn(tx)
	returned = true
	if err != nil {
		if rbErr := tx.Rollback(context.WithoutCancel(ctx)); rbErr != nil && !errors.Is(rbErr, pgx.ErrTxClosed) {
			return errors.Join(err, pg.MapError(rbErr))
		}
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return pg.MapError(err)
	}
	return nil
}
