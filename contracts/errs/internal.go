package errs

import (
	"crypto/rand"
	"encoding/hex"
	"errors"

	"connectrpc.com/connect"
)

// InternalMessage is the only message a caller sees for an internal error.
const InternalMessage = "internal error"

// An InternalError is the server-side view of an error built by [Internal]: the
// error id sent to the caller and the cause that was not. Find it with [errors.As]
// to log the cause next to the id.
type InternalError struct {
	// ID is the error id the caller received in RequestInfo.error_id.
	ID string
	// Cause is the real failure. It never leaves the server.
	Cause error
}

// Error returns the text the caller sees; it does not include the cause.
func (e *InternalError) Error() string {
	return InternalMessage + " (error id " + e.ID + ")"
}

// Unwrap returns the cause, so that [errors.Is] and [errors.As] see through it on
// the server.
func (e *InternalError) Unwrap() error { return e.Cause }

// Internal returns an Internal [*connect.Error] for cause. The caller sees only
// [InternalMessage] and a fresh error id; the cause stays on the server inside an
// [*InternalError]. Log it there with the id, so that the id a user quotes finds it.
func Internal(cause error, opts ...Option) *connect.Error {
	var s spec
	for _, opt := range opts {
		opt(&s)
	}
	s.errorID = NewErrorID()
	return build(connect.CodeInternal, &InternalError{ID: s.errorID, Cause: cause}, "INTERNAL", &s)
}

// NewErrorID returns a random 16-character hex id for an internal error.
func NewErrorID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	return hex.EncodeToString(b[:])
}

// AsInternal returns the [*InternalError] inside err, if any.
func AsInternal(err error) (*InternalError, bool) {
	var ie *InternalError
	ok := errors.As(err, &ie)
	return ie, ok
}
