package rls

import (
	"context"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/contracts/identity"
)

// SystemReasonSetting holds the reason of a [System] transaction, for audit triggers.
const SystemReasonSetting = "app.system_reason"

// System runs transactions that cross tenants. Give it a pool that logs in as [SystemRole]
// (never the application's pool): the footing_system_access policy on every RLS table lets
// that role, and only it, see every tenant's rows. Every transaction is logged with its reason
// and the caller. It is safe for concurrent use.
type System struct {
	db     Beginner
	logger *slog.Logger
}

// A SystemOption configures a [System].
type SystemOption func(*System)

// WithLogger sets where system transactions are logged; nil keeps [slog.Default].
func WithLogger(l *slog.Logger) SystemOption {
	return func(s *System) {
		if l != nil {
			s.logger = l
		}
	}
}

// NewSystem returns a [System] over db, a pool connected as [SystemRole].
func NewSystem(db Beginner, opts ...SystemOption) *System {
	s := &System{db: db, logger: slog.Default()}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Do runs fn in a cross-tenant transaction and commits it. reason says why the work must
// cross tenants (for example "nightly billing rollup"); it is required, logged at Info with
// the caller's principal and request id, and set as app.system_reason for the transaction.
// No tenant is set: use explicit WHERE clauses.
func (s *System) Do(ctx context.Context, reason string, fn func(pgx.Tx) error) error {
	return s.DoWith(ctx, reason, TxOptions{}, fn)
}

// DoWith is [System.Do] with transaction options.
func (s *System) DoWith(ctx context.Context, reason string, opts TxOptions, fn func(pgx.Tx) error) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 200 || strings.ContainsRune(reason, 0) {
		return errs.InvalidArgument("SYSTEM_REASON_REQUIRED", "a system transaction needs a reason of 1 to 200 characters")
	}
	attrs := []any{slog.String("reason", reason)}
	if p, ok := identity.PrincipalFrom(ctx); ok {
		attrs = append(attrs, slog.String("subject", p.GetSubject()), slog.String("tenant_id", p.GetTenantId()))
	}
	if id := identity.RequestID(ctx); id != "" {
		attrs = append(attrs, slog.String("request_id", id))
	}
	b, err := beginSQL(opts)
	if err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "rls: cross-tenant system transaction", attrs...)
	begin := b + "; SELECT set_config('" + SystemReasonSetting + "', " + quoteLiteral(reason) + ", true)"
	return runTx(ctx, s.db, pgx.TxOptions{BeginQuery: begin}, opts.Retries, fn)
}
