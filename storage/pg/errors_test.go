package pg_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/footingdev/footing/contracts/errs"
	"github.com/footingdev/footing/storage/pg"
)

func TestMapError(t *testing.T) {
	t.Parallel()
	// Messages as a server with lc_messages = 'de_DE.UTF-8' sends them: MapError must go by
	// SQLSTATE (and the untranslated routine), never by English text.
	pgErrIn := func(code, routine string) error {
		return fmt.Errorf("wrapped: %w", &pgconn.PgError{
			Code: code, Routine: routine, ConstraintName: "c1", TableName: "t1",
			Message: "neue Zeile verletzt Policy für Sicherheit auf Zeilenebene für Tabelle »t1« secret-value",
			Detail:  "Schlüssel (email)=(secret-value)",
		})
	}
	pgErr := func(code string) error { return pgErrIn(code, "") }
	tests := []struct {
		err    error
		code   connect.Code
		reason string
	}{
		{pgx.ErrNoRows, connect.CodeNotFound, pg.ReasonNotFound},
		{pgErr("23505"), connect.CodeAlreadyExists, pg.ReasonAlreadyExists},
		{pgErr("23514"), connect.CodeInvalidArgument, pg.ReasonCheckViolation},
		{pgErr("23502"), connect.CodeInvalidArgument, pg.ReasonNotNullViolation},
		{pgErr("22P02"), connect.CodeInvalidArgument, pg.ReasonInvalidValue},
		{pgErr("23503"), connect.CodeFailedPrecondition, pg.ReasonForeignKeyViolation},
		{pgErr("40001"), connect.CodeAborted, pg.ReasonSerializationFailure},
		{pgErr("40P01"), connect.CodeAborted, pg.ReasonDeadlock},
		{pgErrIn("42501", "ExecWithCheckOptions"), connect.CodePermissionDenied, pg.ReasonRowSecurity},
		{pgErrIn("42501", "aclcheck_error"), connect.CodeInternal, "INTERNAL"},   // a missing GRANT
		{pgErrIn("42501", "check_enable_rls"), connect.CodeInternal, "INTERNAL"}, // row_security = off
		{pgErr("23P01"), connect.CodeFailedPrecondition, pg.ReasonExclusionViolation},
		{pgErr("55P03"), connect.CodeAborted, pg.ReasonLockNotAvailable},
		{pgErr("08006"), connect.CodeUnavailable, pg.ReasonUnavailable},
		{pgErr("XX000"), connect.CodeInternal, "INTERNAL"},
		{context.DeadlineExceeded, connect.CodeDeadlineExceeded, "DB_DEADLINE_EXCEEDED"},
		{errors.New("something else"), connect.CodeInternal, "INTERNAL"},
	}
	for _, tc := range tests {
		t.Run(tc.reason, func(t *testing.T) {
			t.Parallel()
			err := pg.MapError(tc.err)
			d := errs.From(err)
			if d.Code != tc.code || d.Reason != tc.reason {
				t.Fatalf("MapError(%v) = %v %q, want %v %q", tc.err, d.Code, d.Reason, tc.code, tc.reason)
			}
			if strings.Contains(err.Error(), "secret-value") {
				t.Fatalf("mapped error leaks Postgres's message: %v", err)
			}
			if again := pg.MapError(err); again != err { //nolint:errorlint // identity is the point: a mapped error comes back as is
				t.Fatal("mapping a mapped error changed it")
			}
		})
	}
	if pg.MapError(nil) != nil {
		t.Fatal("MapError(nil) != nil")
	}
	if !pg.IsRetryable(pgErr("40001")) || !pg.IsRetryable(pg.MapError(pgErr("40P01"))) || pg.IsRetryable(pgErr("23505")) ||
		!pg.IsRetryable(pgErr("55P03")) || !pg.IsRetryable(pg.MapError(pgErr("55P03"))) || pg.IsRetryable(pg.MapError(pgErr("23P01"))) {
		t.Fatal("IsRetryable wrong")
	}
}
