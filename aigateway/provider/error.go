package provider

import (
	"fmt"
	"time"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
)

// Kind classifies a provider failure by what the router may do about it.
type Kind int

// The kinds of failure.
const (
	// KindUnknown is a failure nothing more is known about; treated as KindServer.
	KindUnknown Kind = iota
	// KindInvalidRequest (HTTP 400, 413, 422): the request itself is wrong. Returned
	// to the caller; no retry, no fallback.
	KindInvalidRequest
	// KindAuth (HTTP 401, 403): the gateway's key is wrong or lacks permission. A
	// configuration error: never retried on this target; another target may serve.
	KindAuth
	// KindNotFound (HTTP 404): the model does not exist on this target.
	KindNotFound
	// KindRateLimited (HTTP 429, 408, 409): retry after RetryAfter, then fall back.
	KindRateLimited
	// KindQuotaExhausted (a 429 for insufficient_quota, spend limits, billing): not
	// retried on this target; another target may serve.
	KindQuotaExhausted
	// KindOverloaded (HTTP 529, 503 overloaded): retry with backoff, then fall back.
	KindOverloaded
	// KindServer (HTTP 5xx, a broken connection, a malformed stream): retry, then fall back.
	KindServer
	// KindTimeout: a per-attempt, time-to-first-token or idle timeout fired.
	KindTimeout
	// KindCanceled: the caller went away. Nothing more is done.
	KindCanceled
)

var kindNames = [...]string{"unknown", "invalid_request", "auth", "not_found", "rate_limited",
	"quota_exhausted", "overloaded", "server", "timeout", "canceled"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// An Error is a failure of one provider call. Message is the provider's own
// message, which never contains the API key (implementations must not echo request
// headers into it).
type Error struct {
	Provider   string
	Kind       Kind
	StatusCode int           // HTTP status, or 0 for transport and stream failures.
	Type       string        // the provider's error type/code, such as "overloaded_error".
	Message    string        // the provider's message.
	RetryAfter time.Duration // from retry-after / retry-after-ms; 0 when absent.
	Err        error         // the underlying transport error, if any.
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: %s", e.Provider, e.Kind)
	if e.StatusCode != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.StatusCode)
	}
	if e.Type != "" {
		s += " " + e.Type
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether the same target may be tried again (after RetryAfter).
func (e *Error) Retryable() bool {
	switch e.Kind {
	case KindRateLimited, KindOverloaded, KindServer, KindTimeout, KindUnknown:
		return true
	}
	return false
}

// Fallback reports whether another target may be tried.
func (e *Error) Fallback() bool {
	return e.Kind != KindInvalidRequest && e.Kind != KindCanceled
}

// ConnectError maps e to the error model for the gateway's caller. Provider
// messages of invalid requests are passed on (they help the caller fix the request;
// without one, the HTTP status is named);
// others are summarized, since they may describe the gateway's own account. A
// retry-after is passed on only when the provider gave one: a zero RetryInfo (an
// HTTP "Retry-After: 0") would tell clients to retry at once.
func (e *Error) ConnectError() *connect.Error {
	meta := errs.WithMetadata("provider", e.Provider, "kind", e.Kind.String())
	opts := []errs.Option{meta}
	if e.RetryAfter > 0 {
		opts = append(opts, errs.WithRetryAfter(e.RetryAfter))
	}
	switch e.Kind {
	case KindInvalidRequest:
		msg := e.Provider + " rejected the request"
		switch {
		case e.Message != "":
			msg += ": " + e.Message
		case e.StatusCode != 0:
			msg += fmt.Sprintf(" (HTTP %d)", e.StatusCode)
		}
		return errs.InvalidArgument("PROVIDER_INVALID_REQUEST", msg, meta)
	case KindNotFound:
		return errs.NotFound("MODEL_NOT_FOUND", "the model is not available from "+e.Provider, meta)
	case KindRateLimited, KindQuotaExhausted:
		return errs.ResourceExhausted("PROVIDER_RATE_LIMITED", e.Provider+" is rate limiting the gateway", opts...)
	case KindTimeout:
		return errs.DeadlineExceeded("PROVIDER_TIMEOUT", e.Provider+" did not answer in time", meta)
	case KindCanceled:
		return errs.New(connect.CodeCanceled, "CANCELED", "the call was canceled", meta)
	case KindAuth:
		return errs.Internal(e) // The gateway's configuration is wrong; nothing the caller can do.
	default:
		return errs.Unavailable("PROVIDER_UNAVAILABLE", e.Provider+" is unavailable", opts...)
	}
}
