package errs_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
)

// TestWrappedInternalHidesTheWrapping: a handler that wraps an errs.Internal error in
// words of its own and makes that an Internal (or Unknown) *connect.Error sends
// neither its words nor the Internal's text: the caller gets InternalMessage with the
// wrapped error's id, which the hook is told.
func TestWrappedInternalHidesTheWrapping(t *testing.T) {
	t.Parallel()
	const words = "saving invoice for tenant acme with key sk-live-51Habc"
	inner := errs.Internal(errors.New(secretCause))
	bare := &errs.InternalError{ID: errs.NewErrorID(), Cause: errors.New(secretCause)}
	for name, err := range map[string]error{
		"internal":      connect.NewError(connect.CodeInternal, wrapf(words, inner)),
		"unknown":       connect.NewError(connect.CodeUnknown, wrapf(words, inner)),
		"data loss":     connect.NewError(connect.CodeDataLoss, wrapf(words, inner)),
		"bare internal": connect.NewError(connect.CodeInternal, wrapf(words, bare)),
		"built":         errs.New(connect.CodeInternal, "SAVE_FAILED", words, errs.WithCause(inner)),
	} {
		var told []*errs.InternalError
		out := errs.Normalize(context.Background(), err, func(ie *errs.InternalError) { told = append(told, ie) })
		d := errs.From(out)
		if d.Code != connect.CodeInternal || strings.Contains(out.Error(), "acme") || strings.Contains(out.Error(), "hunter2") ||
			!strings.HasPrefix(d.Message, errs.InternalMessage) {
			t.Errorf("%s: the caller gets %q (%+v)", name, out.Error(), d)
		}
		if len(told) != 1 || d.ErrorID == "" || told[0].ID != d.ErrorID {
			t.Errorf("%s: error id %q, hook told %v", name, d.ErrorID, told)
		}
	}
	// An error built by Internal, even wrapped in words of the handler's outside any
	// *connect.Error, keeps its id and its message.
	out := errs.Normalize(context.Background(), wrapf(words, inner), nil)
	if want, _ := errs.AsInternal(inner); errs.From(out).ErrorID != want.ID || out.Message() != inner.Message() {
		t.Fatalf("wrapped Internal = %v", out)
	}
}

type wrapped struct {
	words string
	err   error
}

func (w *wrapped) Error() string { return w.words + ": " + w.err.Error() }
func (w *wrapped) Unwrap() error { return w.err }

func wrapf(words string, err error) error { return &wrapped{words, err} }
