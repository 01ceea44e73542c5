package errs_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
)

// TestSharedErrorIsNotModified: a package-level error returned by handlers serving
// requests at once is normalized (a request id added to each answer) without being
// written to — connect-go itself only reads an error it sends, but Error.Meta
// creates the error's header map on first use, so calling it on a shared error is a
// data race. Run with -race.
func TestSharedErrorIsNotModified(t *testing.T) {
	t.Parallel()
	// Package-level error values, as handlers commonly return them (made here, so
	// that every run of the test starts with errors no one has used yet).
	errShared := errs.NotFound("ADR_NOT_FOUND", "no such ADR")
	errSharedConnect := connect.NewError(connect.CodeNotFound, errors.New("no such ADR"))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			ctx := identity.WithRequestMetadata(context.Background(), &commonv1.RequestMetadata{RequestId: fmt.Sprint("req-", i)})
			for _, shared := range []*connect.Error{errShared, errSharedConnect} {
				out := errs.Normalize(ctx, shared, nil)
				if d := errs.From(out); d.Code != connect.CodeNotFound || d.RequestID != fmt.Sprint("req-", i) {
					t.Errorf("details = %+v", d)
				}
			}
		})
	}
	wg.Wait()
	for _, shared := range []*connect.Error{errShared, errSharedConnect} {
		if d := errs.From(shared); d.RequestID != "" {
			t.Fatalf("the shared error was given request id %q", d.RequestID)
		}
	}
}

// TestNormalizeKeepsTheHandlersHeaders: headers a handler set on its error (here a
// WWW-Authenticate challenge) are still sent with the copy that gets the request id.
func TestNormalizeKeepsTheHandlersHeaders(t *testing.T) {
	t.Parallel()
	err := errs.Unauthenticated("TOKEN_EXPIRED", "the token has expired")
	err.Meta().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	ctx := identity.WithRequestMetadata(context.Background(), &commonv1.RequestMetadata{RequestId: "req-1"})
	out := errs.Normalize(ctx, err, nil)
	if out.Meta().Get("WWW-Authenticate") == "" || errs.From(out).RequestID != "req-1" {
		t.Fatalf("normalized = %v, headers %v", out, out.Meta())
	}
}
