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
//	22P02, 22001, 22003 bad value     InvalidArgument     INVALID_VALUE
//	23503 foreign_key_violation      FailedPrecondition  FOREIGN_KEY_VIOLATION
//	40001 serialization_failure      Aborted             SERIALIZATION_FAILURE
//	40P01 deadlock_detected          Aborted             DEADLOCK_DETECTED
//	42501 (row-level security)       PermissionDenied    ROW_SECURITY_VIOLATION
//	08xxx, 57P0x connection trouble  Unavailable         DB_UNAVAILABLE
//	context deadline / cancel        DeadlineExceeded / Canceled
//	anything else                    Internal (cause kept server-side)
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
	case code == "22P02", code == "22001", code == "22003", code == "22007", code == "22008":
		return errs.InvalidArgument(ReasonInvalidValue, "a value has the wrong form or size", dom)
	case code == "23503":
		return errs.FailedPrecondition(ReasonForeignKeyViolation, "a referenced row is missing or still referenced", dom, meta("constraint", pe.ConstraintName))
	case code == "40001":
		return errs.Aborted(ReasonSerializationFailure, "concurrent update conflict; retry the transaction", dom)
	case code == "40P01":
		return errs.Aborted(ReasonDeadlock, "deadlock; retry the transaction", dom)
	case code == "42501" && strings.Contains(pe.Message, "row-level security"):
		return errs.PermissionDenied(ReasonRowSecurity, "the row is outside the current tenant", dom, meta("table", pe.TableName))
	case strings.HasPrefix(code, "08"), code == "57P01", code == "57P02", code == "57P03", code == "53300":
		return errs.Unavailable(ReasonUnavailable, "database unavailable", dom)
	case code == "57014":
		return errs.DeadlineExceeded("DB_QUERY_CANCELED", "database query canceled", dom)
	}
	return errs.Internal(err)
}

// IsRetryable reports whether err is a serialization failure or deadlock, raw or mapped by
// [MapError]: the whole transaction may be run again.
func IsRetryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	d := errs.From(err)
	return d.Code == connect.CodeAborted && (d.Reason == ReasonSerializationFailure || d.Reason == ReasonDeadlock)
}
