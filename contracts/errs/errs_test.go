package errs_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
)

func TestConstructorsSetTheirCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		build func(string, string, ...errs.Option) *connect.Error
		code  connect.Code
		http  int
	}{
		{errs.InvalidArgument, connect.CodeInvalidArgument, http.StatusBadRequest},
		{errs.NotFound, connect.CodeNotFound, http.StatusNotFound},
		{errs.AlreadyExists, connect.CodeAlreadyExists, http.StatusConflict},
		{errs.FailedPrecondition, connect.CodeFailedPrecondition, http.StatusBadRequest},
		{errs.Aborted, connect.CodeAborted, http.StatusConflict},
		{errs.OutOfRange, connect.CodeOutOfRange, http.StatusBadRequest},
		{errs.Unauthenticated, connect.CodeUnauthenticated, http.StatusUnauthorized},
		{errs.PermissionDenied, connect.CodePermissionDenied, http.StatusForbidden},
		{errs.ResourceExhausted, connect.CodeResourceExhausted, http.StatusTooManyRequests},
		{errs.Unavailable, connect.CodeUnavailable, http.StatusServiceUnavailable},
		{errs.DeadlineExceeded, connect.CodeDeadlineExceeded, http.StatusGatewayTimeout},
		{errs.Unimplemented, connect.CodeUnimplemented, http.StatusNotImplemented},
	}
	for _, tc := range tests {
		t.Run(tc.code.String(), func(t *testing.T) {
			t.Parallel()
			err := tc.build("SOME_REASON", "some message")
			d := errs.From(fmt.Errorf("wrapped: %w", err))
			if d.Code != tc.code || d.Reason != "SOME_REASON" || d.Message != "some message" {
				t.Fatalf("From = %+v", d)
			}
			if got := errs.HTTPStatus(tc.code); got != tc.http {
				t.Fatalf("HTTPStatus(%v) = %d, want %d", tc.code, got, tc.http)
			}
		})
	}
}

func TestInternalKeepsCauseOnServer(t *testing.T) {
	t.Parallel()
	cause := errors.New("disk on fire")
	err := errs.Internal(cause)
	if !errors.Is(err, cause) {
		t.Fatal("errors.Is does not reach the cause on the server")
	}
	ie, ok := errs.AsInternal(err)
	if !ok || !errors.Is(ie.Cause, cause) || ie.ID == "" {
		t.Fatalf("AsInternal = %+v, %v", ie, ok)
	}
	if d := errs.From(err); d.ErrorID != ie.ID || d.Message == "" || d.Code != connect.CodeInternal {
		t.Fatalf("From = %+v", d)
	}
	if msg := err.Message(); msg == cause.Error() || len(msg) > len(errs.InternalMessage)+30 {
		t.Fatalf("message %q leaks the cause", msg)
	}
	if a, b := errs.NewErrorID(), errs.NewErrorID(); a == b {
		t.Fatal("two error ids are equal")
	}
}

func TestFromPlainAndNil(t *testing.T) {
	t.Parallel()
	if d := errs.From(nil); d.Code != 0 || d.Message != "" {
		t.Fatalf("From(nil) = %+v", d)
	}
	if d := errs.From(errors.New("boom")); d.Code != connect.CodeUnknown || d.Message != "boom" {
		t.Fatalf("From(plain) = %+v", d)
	}
	if _, ok := errs.RetryAfter(errs.NotFound("X", "y")); ok {
		t.Fatal("RetryAfter found a delay on an error without one")
	}
	if d, ok := errs.RetryAfter(errs.Unavailable("X", "y", errs.WithRetryAfter(-time.Second))); !ok || d != 0 {
		t.Fatalf("negative retry-after = %v, %v; want 0, true", d, ok)
	}
	if errs.Reason(errs.New(connect.CodeAborted, "", "no reason")) != "" {
		t.Fatal("empty reason came back non-empty")
	}
}

func TestWithCauseKeepsCauseOnServer(t *testing.T) {
	t.Parallel()
	cause := fmt.Errorf("dial tcp 10.0.3.7:6379: %w", context.DeadlineExceeded)
	err := errs.Unavailable("STORE_UNAVAILABLE", "the store is unavailable", errs.WithCause(cause))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("errors.Is does not find the cause")
	}
	if err.Message() != "the store is unavailable" || strings.Contains(err.Error(), "10.0.3.7") {
		t.Fatalf("the cause is in the message: %q", err.Error())
	}
	if d := errs.From(err); d.Code != connect.CodeUnavailable || d.Reason != "STORE_UNAVAILABLE" {
		t.Fatalf("details = %+v", d)
	}
}
