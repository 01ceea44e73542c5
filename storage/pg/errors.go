package pg

import (
	"context"
	"errors"
	"strings"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/footingdev/footing/contracts/errs"
)

// Reasons set by [MapError], in the ErrorInfo of the errors it returns.
const (
	ReasonNotFound             = "NOT_FOUND"
	ReasonAlreadyExists        = "ALREADY_EXISTS"
	ReasonCheckViolation       = "CHECK_VIOLATION"
	ReasonNotNullViolation     = "NOT_NULL_VIOLATION"
	ReasonForeignKeyViolation  = "FOREIGN_KEY_VIOLATION"
	ReasonInvalidValue         = "INVALID_VALUE"
	ReasonSerializationFailure = "SERIALIZATION_FAILURE"
	ReasonDeadlock             = "DEADLOCK_DETECTED"
	ReasonRowSecurity          = "ROW_SECURITY_VIOLATION"
	ReasonExclusionViolation   = "EXCLUSION_VIOLATION"
	ReasonLockNotAvailable     = "LOCK_NOT_AVAILABLE"
	ReasonUnavailable          = "DB_UNAVAILABLE"
)

// Domain is the ErrorInfo domain of errors from this module.
const Domain = "storage.footing.dev"

// MapError turns a pgx or Postgres error into the contracts/errs model:
//
//	pgx.ErrNoRows                    NotFound            NOT_FOUND
//	23505 unique_violation           AlreadyExists       ALREADY_EXISTS
//	23514 check_violation            InvalidArgument     CHECK_VIOLATION
//	23502 not_null_violation         InvalidArgument     NOT_NULL_VIOLATION
//	22P02, 22001, 22003 bad value    InvalidArgument     INVALID_VALUE
//	22007, 22008 bad date or time    InvalidArgument     INVALID_VALUE
//	22021, 22P05 NUL or bad UTF-8    InvalidArgument     INVALID_VALUE
//	22025, 2201B bad LIKE or regex   InvalidArgument     INVALID_VALUE
//	2201W, 2201X negative LIMIT/OFFSET InvalidArgument   INVALID_VALUE
//	23503 foreign_key_violation      FailedPrecondition  FOREIGN_KEY_VIOLATION
//	23P01 exclusion_violation        FailedPrecondition  EXCLUSION_VIOLATION
//	40001 serialization_failure      Aborted             SERIALIZATION_FAILURE
//	40P01 deadlock_detected          Aborted             DEADLOCK_DETECTED
//	55P03 lock_not_available         Aborted             LOCK_NOT_AVAILABLE
//	42501 (row-level security)       PermissionDenied    ROW_SECURITY_VIOLATION
//	08xxx, 57P0x connection trouble  Unavailable         DB_UNAVAILABLE
//	no connection (refused, TLS)     Unavailable         DB_UNAVAILABLE
//	context deadline / cancel        DeadlineExceeded / Canceled
//	anything else                    Internal (cause kept server-side)
//
// Errors are told apart by SQLSTATE, never by message: Postgres translates its messages
// (lc_messages). 42501 insufficient_privilege is also raised for a missing GRANT and for
// a query that row_security = off would let RLS change; a row-level security violation
// (a new row failing a policy's WITH CHECK, or USING for ON CONFLICT DO UPDATE) is the
// 42501 raised by the executor's ExecWithCheckOptions, which the error's routine field
// names (it is never translated). Other 42501s are deployment mistakes and stay Internal.
//
// 23P01 is FailedPrecondition, not AlreadyExists: the new row conflicts with a different
// row (an overlapping booking), not with itself existing, and the request can succeed
// once that row is changed. 55P03 (NOWAIT, lock_timeout) has aborted the transaction, so
// like a serialization failure it is Aborted and [IsRetryable]: run the whole
// transaction again.
//
// Only the constraint, column or table name goes into the error's metadata, never
// Postgres's message or detail, which can quote row values. An error that already is a
// [*connect.Error] and nil are returned unchanged.
func MapError(err error) error {
	if err == nil {
		return nil
	}
	if ce := new(connect.Error); errors.As(err, &ce) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return errs.NotFound(ReasonNotFound, "not found", errs.WithDomain(Domain))
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return mapPgError(pe, err)
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return errs.DeadlineExceeded("DB_DEADLINE_EXCEEDED", "database call ran out of time", errs.WithDomain(Domain))
	case errors.Is(err, context.Canceled):
		return errs.New(connect.CodeCanceled, "DB_CANCELED", "database call canceled", errs.WithDomain(Domain))
	case pgconn.SafeToRetry(err):
		return errs.Unavailable(ReasonUnavailable, "database unavailable", errs.WithDomain(Domain))
	case isConnectFailure(err):
		// The cause (refused, TLS, DNS: it names the host) stays on the server, for the
		// log that tells an outage from a misconfiguration.
		return errs.Unavailable(ReasonUnavailable, "database unavailable", errs.WithDomain(Domain), errs.WithCause(err))
	}
	return errs.Internal(err)
}

func mapPgError(pe *pgconn.PgError, err error) error {
	meta := func(kv ...string) errs.Option {
		var out []string
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] != "" {
				out = append(out, kv[i], kv[i+1])
			}
		}
		return errs.WithMetadata(out...)
	}
	dom := errs.WithDomain(Domain)
	switch code := pe.Code; {
	case code == "23505":
		return errs.AlreadyExists(ReasonAlreadyExists, "already exists", dom, meta("constraint", pe.ConstraintName))
	case code == "23514":
		return errs.InvalidArgument(ReasonCheckViolation, "a value breaks a check constraint", dom, meta("constraint", pe.ConstraintName))
	case code == "23502":
		return errs.InvalidArgument(ReasonNotNullViolation, "a required value is missing", dom,
			meta("column", pe.ColumnName), errs.WithFieldViolation(pe.ColumnName, "required", "REQUIRED"))
	case code == "22P02", code == "22001", code == "22003", code == "22007", code == "22008",
		code == "22021", code == "22P05", code == "22025", code == "2201B",
		code == "2201W", code == "2201X":
		return errs.InvalidArgument(ReasonInvalidValue, "a value has the wrong form or size", dom)
	case code == "23503":
		return errs.FailedPrecondition(ReasonForeignKeyViolation, "a referenced row is missing or still referenced", dom, meta("constraint", pe.ConstraintName))
	case code == "40001":
		return errs.Aborted(ReasonSerializationFailure, "concurrent update conflict; retry the transaction", dom)
	case code == "23P01":
		return errs.FailedPrecondition(ReasonExclusionViolation, "the row conflicts with another row", dom, meta("constraint", pe.ConstraintName))
	case code == "40P01":
		return errs.Aborted(ReasonDeadlock, "deadlock; retry the transaction", dom)
	case code == "55P03":
		return errs.Aborted(ReasonLockNotAvailable, "a row or table is locked; retry the transaction", dom)
	case code == "42501" && pe.Routine == routineWithCheck:
		return errs.PermissionDenied(ReasonRowSecurity, "the row is outside the current tenant", dom, meta("table", pe.TableName))
	case strings.HasPrefix(code, "08"), code == "57P01", code == "57P02", code == "57P03", code == "53300":
		return errs.Unavailable(ReasonUnavailable, "database unavailable", dom)
	case code == "57014":
		return errs.DeadlineExceeded("DB_QUERY_CANCELED", "database query canceled", dom)
	}
	return errs.Internal(err)
}

// isConnectFailure reports a connection that could not be made (refused, unreachable,
// TLS): nothing was sent, so the call can be retried once the database is back. A
// server's refusal (bad password, no such database: a *pgconn.PgError inside) is mapped
// by its SQLSTATE before this is asked.
func isConnectFailure(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce)
}

// routineWithCheck is the Postgres function that raises row-level security (and view
// WITH CHECK OPTION) violations; Postgres reports it untranslated in every locale.
const routineWithCheck = "ExecWithCheckOptions"

// IsRetryable reports whether err is a serialization failure, deadlock or lock not
// available, raw or mapped by [MapError]: the whole transaction may be run again.
func IsRetryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01" || pe.Code == "55P03"
	}
	d := errs.From(err)
	return d.Code == connect.CodeAborted &&
		(d.Reason == ReasonSerializationFailure || d.Reason == ReasonDeadlock || d.Reason == ReasonLockNotAvailable)
}
