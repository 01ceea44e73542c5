package errs

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
)

// An Option adds a detail to an error built by this package.
type Option func(*spec)

type spec struct {
	domain     string
	metadata   map[string]string
	violations []*commonv1.BadRequest_FieldViolation
	retryAfter *time.Duration
	requestID  string
	errorID    string
	cause      error
}

// WithDomain sets the ErrorInfo domain: the service or module that owns the reason
// (for example "storage.footing.dev").
func WithDomain(domain string) Option {
	return func(s *spec) { s.domain = domain }
}

// WithMetadata adds facts about this occurrence to the ErrorInfo metadata, as
// key/value pairs. A trailing key without a value is ignored. Never put secrets here:
// the caller sees them.
func WithMetadata(keyValues ...string) Option {
	return func(s *spec) {
		if s.metadata == nil {
			s.metadata = make(map[string]string, len(keyValues)/2)
		}
		for i := 0; i+1 < len(keyValues); i += 2 {
			s.metadata[keyValues[i]] = keyValues[i+1]
		}
	}
}

// WithFieldViolation adds one field's problem to the BadRequest detail. field is the
// dotted path with [index] for repeated fields; reason is a stable rule id.
func WithFieldViolation(field, description, reason string) Option {
	return func(s *spec) {
		s.violations = append(s.violations, &commonv1.BadRequest_FieldViolation{
			Field: field, Description: description, Reason: reason,
		})
	}
}

// WithFieldViolations adds several field violations at once.
func WithFieldViolations(violations ...*commonv1.BadRequest_FieldViolation) Option {
	return func(s *spec) { s.violations = append(s.violations, violations...) }
}

// WithRetryAfter adds a RetryInfo detail telling the caller when to try again.
// Negative durations count as zero.
func WithRetryAfter(d time.Duration) Option {
	d = max(d, 0)
	return func(s *spec) {
		d := d // An Option may be used by many errors at once: write only to s.
		s.retryAfter = &d
	}
}

// WithCause keeps cause behind the error on the server: [errors.Is] and [errors.As]
// find it through the returned error, and the server may log it, but the caller sees
// only the message given to the constructor — never the cause's text, which may name
// hosts, addresses, SQL or secrets. Use it where an error the caller can act on
// (Unavailable, ResourceExhausted) has an internal failure behind it.
func WithCause(cause error) Option {
	return func(s *spec) { s.cause = cause }
}

// causedError is an error's caller-facing message with its server-side cause.
type causedError struct {
	msg   string
	cause error
}

func (e *causedError) Error() string { return e.msg }
func (e *causedError) Unwrap() error { return e.cause }

// WithRequestID adds a RequestInfo detail with the request id, so that a user can
// quote it to support.
func WithRequestID(id string) Option {
	return func(s *spec) { s.requestID = id }
}

// New returns a [*connect.Error] with code, message and the details the options give.
// reason is a stable UPPER_SNAKE_CASE identifier of the failure (for example
// "ADR_NOT_FOUND"); it is sent as ErrorInfo.reason when not empty.
//
// The message is sent to the caller: do not put internal causes or secrets in it.
// Use [Internal] for failures the caller cannot act on.
//
// Protobuf strings must be valid UTF-8: invalid bytes in the message, the reason or
// any detail (text taken from a path, a header or a file name) are replaced with
// U+FFFD, so that the error can always be sent with its code.
func New(code connect.Code, reason, message string, opts ...Option) *connect.Error {
	var s spec
	for _, opt := range opts {
		opt(&s)
	}
	message = validUTF8(message)
	if s.cause != nil {
		return build(code, &causedError{msg: message, cause: s.cause}, reason, &s)
	}
	return build(code, errors.New(message), reason, &s)
}

func build(code connect.Code, underlying error, reason string, s *spec) *connect.Error {
	cerr := connect.NewError(code, underlying)
	reason = validUTF8(reason)
	s.sanitize()
	if reason != "" || s.domain != "" || len(s.metadata) > 0 {
		addDetail(cerr, &commonv1.ErrorInfo{Reason: reason, Domain: s.domain, Metadata: s.metadata})
	}
	if len(s.violations) > 0 {
		addDetail(cerr, &commonv1.BadRequest{FieldViolations: s.violations})
	}
	if s.retryAfter != nil {
		addDetail(cerr, &commonv1.RetryInfo{RetryDelay: durationpb.New(*s.retryAfter)})
	}
	if s.requestID != "" || s.errorID != "" {
		addDetail(cerr, &commonv1.RequestInfo{RequestId: s.requestID, ErrorId: s.errorID})
	}
	return cerr
}

// validUTF8 returns s with each run of invalid UTF-8 bytes replaced by U+FFFD.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// sanitize makes every string of s valid UTF-8, which protobuf requires, without
// modifying the field violations the caller passed in.
func (s *spec) sanitize() {
	s.domain, s.requestID, s.errorID = validUTF8(s.domain), validUTF8(s.requestID), validUTF8(s.errorID)
	for k, v := range s.metadata {
		if utf8.ValidString(k) && utf8.ValidString(v) {
			continue
		}
		delete(s.metadata, k)
		s.metadata[validUTF8(k)] = validUTF8(v)
	}
	kept := s.violations[:0]
	for _, v := range s.violations {
		if v == nil {
			continue // A nil element cannot be marshalled.
		}
		if f, d, r := v.GetField(), v.GetDescription(), v.GetReason(); !utf8.ValidString(f) || !utf8.ValidString(d) || !utf8.ValidString(r) {
			v = &commonv1.BadRequest_FieldViolation{Field: validUTF8(f), Description: validUTF8(d), Reason: validUTF8(r)}
		}
		kept = append(kept, v)
	}
	s.violations = kept
}

func addDetail(cerr *connect.Error, m proto.Message) {
	d, err := connect.NewErrorDetail(m)
	if err != nil {
		// Only a message that cannot be marshalled fails here, and sanitize sees that
		// ours always can. Never panic while reporting an error: send it without.
		return
	}
	cerr.AddDetail(d)
}

// InvalidArgument is for a request that is wrong whatever the system's state:
// a malformed field, a value out of range. Add [WithFieldViolation] for each field.
func InvalidArgument(reason, message string, opts ...Option) *connect.Error {
	return New(connect.CodeInvalidArgument, reason, message, opts...)
}

// NotFound is for a resource that does not exist, or that the caller may not know exists.
func NotFound(reason, message string, opts ...Option) *connect.Error {
	return New(connect.CodeNotFound, reason, message, opts...)
}

// AlreadyExists is for a create that collides with an existing resource.
func AlreadyExists(reason, message string, opts ...Option) *connect.Error {
	return New(connect.CodeAlreadyExists, reason, message, opts...)
}

// FailedPrecondition is for a request the system's current state refuses
// (a referenced row is missing, a resource is in the wrong state).
func FailedPrecondition(reason, message string, opts ...Option) *connect.Error {
	return New(connect.CodeFailedPrecondition, reason, message, opts...)
}

// Aborted is for a concurrency conflict (a stale version, a serialization failure):
// the caller may retry the whole read-modify-write.
func Aborted(reason, message string, opts ...Option) *connect.Error {
	return New(connect.CodeAborted, reason, message, opts...)
}

// OutOfRange is for a request past the valid range (a page past the end).
func OutOfRange(reason, message string, opts ...Option) *connect.Error {
	return New(connect.CodeOutOfRange, reason, message, opts...)
}

// Unauthenticated is for a missing or invalid credential. Say nothing that would
// help an attacker: not which check failed.
func Unauthenticated(reason, message string, opts ...Option) *connect.Error {
	return New(connect.CodeUnauthenticated, reason, message, opts...)
}

// PermissionDenied is for a verified caller that lacks a scope or role.
func PermissionDenied(reason, message string, opts ...Option) *connect.Error {
	return New(connect.CodePermissionDenied, reason, message, opts...)
}

// ResourceExhausted is for a quota, budget or rate limit. Add [WithRetryAfter].
func ResourceExhausted(reason, message string, opts ...Option) *connect.Error {
	return New(connect.CodeResourceExhausted, reason, message, opts...)
}

// Unavailable is for a transient failure: the caller may retry, ideally after
// the [WithRetryAfter] delay.
func Unavailable(reason, message string, opts ...Option) *connect.Error {
	return New(connect.CodeUnavailable, reason, message, opts...)
}

// DeadlineExceeded is for work that ran out of time.
func DeadlineExceeded(reason, message string, opts ...Option) *connect.Error {
	return New(connect.CodeDeadlineExceeded, reason, message, opts...)
}

// Unimplemented is for an operation the server does not offer.
func Unimplemented(reason, message string, opts ...Option) *connect.Error {
	return New(connect.CodeUnimplemented, reason, message, opts...)
}
