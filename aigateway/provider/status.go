package provider

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter caps a provider's retry-after hint, so a bogus header cannot park a
// request for hours.
const MaxRetryAfter = 10 * time.Minute

// KindForStatus classifies an HTTP status the way every provider uses it: 400, 413
// and 422 are invalid requests; 401 and 403 auth; 404 not found; 408, 409 and 429
// rate limits; 529 and 503 overload; other 5xx server failures. Providers refine
// the result with the error type in the body (a 429 for exhausted quota, say).
func KindForStatus(status int) Kind {
	switch {
	case status == http.StatusBadRequest, status == http.StatusRequestEntityTooLarge,
		status == http.StatusUnprocessableEntity:
		return KindInvalidRequest
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return KindAuth
	case status == http.StatusNotFound:
		return KindNotFound
	case status == http.StatusPaymentRequired:
		return KindQuotaExhausted
	case status == http.StatusRequestTimeout, status == http.StatusConflict, status == http.StatusTooManyRequests:
		return KindRateLimited
	case status == 529, status == http.StatusServiceUnavailable:
		return KindOverloaded
	case status >= 500:
		return KindServer
	case status >= 400:
		return KindInvalidRequest
	}
	return KindUnknown
}

// ParseRetryAfter reads the retry hint of a response: retry-after-ms (milliseconds,
// as OpenAI and Anthropic send it), else retry-after in seconds or as an HTTP date.
// It returns 0 when there is none or it cannot be read, and caps it at
// [MaxRetryAfter].
func ParseRetryAfter(h http.Header, now time.Time) time.Duration {
	var d time.Duration
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 && ms < float64(MaxRetryAfter/time.Millisecond) {
			d = time.Duration(ms * float64(time.Millisecond))
		} else if err == nil && ms > 0 {
			d = MaxRetryAfter
		}
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); d == 0 && v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil {
			if s > 0 && s < MaxRetryAfter.Seconds() {
				d = time.Duration(s * float64(time.Second))
			} else if s > 0 {
				d = MaxRetryAfter
			}
		} else if t, err := http.ParseTime(v); err == nil {
			d = min(max(t.Sub(now), 0), MaxRetryAfter)
		}
	}
	return d
}

// TransportError wraps a failure to reach the provider or to read its stream: a
// cancelled ctx is KindCanceled, a passed deadline KindTimeout, anything else
// KindServer. It reads ctx rather than err alone, because a body read interrupted by
// cancellation reports only that its connection closed.
func TransportError(ctx context.Context, name string, err error) *Error {
	kind := KindServer
	switch {
	case errors.Is(ctx.Err(), context.Canceled), errors.Is(err, context.Canceled):
		kind = KindCanceled
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		kind = KindTimeout
	}
	return &Error{Provider: name, Kind: kind, Err: err}
}
