package provider_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.uber.org/goleak"

	"github.com/footingdev/footing/aigateway/provider"
	"github.com/footingdev/footing/contracts/errs"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestKindForStatus(t *testing.T) {
	t.Parallel()
	tests := map[int]provider.Kind{
		400: provider.KindInvalidRequest, 413: provider.KindInvalidRequest, 422: provider.KindInvalidRequest, 418: provider.KindInvalidRequest,
		401: provider.KindAuth, 403: provider.KindAuth, 404: provider.KindNotFound, 402: provider.KindQuotaExhausted,
		408: provider.KindRateLimited, 409: provider.KindRateLimited, 429: provider.KindRateLimited,
		503: provider.KindOverloaded, 529: provider.KindOverloaded, 500: provider.KindServer, 502: provider.KindServer, 504: provider.KindServer,
		200: provider.KindUnknown,
	}
	for status, want := range tests {
		if got := provider.KindForStatus(status); got != want {
			t.Errorf("KindForStatus(%d) = %v, want %v", status, got, want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		h    map[string]string
		want time.Duration
	}{
		{"none", nil, 0},
		{"seconds", map[string]string{"Retry-After": "7"}, 7 * time.Second},
		{"fractional seconds", map[string]string{"Retry-After": "1.5"}, 1500 * time.Millisecond},
		{"milliseconds win", map[string]string{"Retry-After": "7", "Retry-After-Ms": "250"}, 250 * time.Millisecond},
		{"http date", map[string]string{"Retry-After": now.Add(30 * time.Second).Format(http.TimeFormat)}, 30 * time.Second},
		{"date in the past", map[string]string{"Retry-After": now.Add(-time.Minute).Format(http.TimeFormat)}, 0},
		{"capped", map[string]string{"Retry-After": "86400"}, provider.MaxRetryAfter},
		{"capped ms", map[string]string{"Retry-After-Ms": "99999999"}, provider.MaxRetryAfter},
		{"garbage", map[string]string{"Retry-After": "soon", "Retry-After-Ms": "x"}, 0},
		{"negative", map[string]string{"Retry-After": "-3"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for k, v := range tc.h {
				h.Set(k, v)
			}
			if got := provider.ParseRetryAfter(h, now); got != tc.want {
				t.Errorf("ParseRetryAfter(%v) = %v, want %v", tc.h, got, tc.want)
			}
		})
	}
}

func TestTransportError(t *testing.T) {
	t.Parallel()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Unix(1, 0))
	defer cancel2()
	tests := []struct {
		ctx  context.Context
		err  error
		want provider.Kind
	}{
		{canceled, io.ErrUnexpectedEOF, provider.KindCanceled},
		{expired, io.ErrUnexpectedEOF, provider.KindTimeout},
		{context.Background(), context.Canceled, provider.KindCanceled},
		{context.Background(), io.ErrUnexpectedEOF, provider.KindServer},
	}
	for _, tc := range tests {
		e := provider.TransportError(tc.ctx, "p", tc.err)
		if e.Kind != tc.want || !errors.Is(e, tc.err) {
			t.Errorf("TransportError(%v) = %v, want kind %v wrapping the cause", tc.err, e, tc.want)
		}
	}
}

func TestErrorPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind      provider.Kind
		retryable bool
		fallback  bool
		code      connect.Code
	}{
		{provider.KindInvalidRequest, false, false, connect.CodeInvalidArgument},
		{provider.KindAuth, false, true, connect.CodeInternal},
		{provider.KindNotFound, false, true, connect.CodeNotFound},
		{provider.KindRateLimited, true, true, connect.CodeResourceExhausted},
		{provider.KindQuotaExhausted, false, true, connect.CodeResourceExhausted},
		{provider.KindOverloaded, true, true, connect.CodeUnavailable},
		{provider.KindServer, true, true, connect.CodeUnavailable},
		{provider.KindTimeout, true, true, connect.CodeDeadlineExceeded},
		{provider.KindCanceled, false, false, connect.CodeCanceled},
		{provider.KindUnknown, true, true, connect.CodeUnavailable},
	}
	for _, tc := range tests {
		e := &provider.Error{Provider: "openai", Kind: tc.kind, StatusCode: 429, Message: "account acct_123 over limit", RetryAfter: 2 * time.Second}
		if e.Retryable() != tc.retryable || e.Fallback() != tc.fallback {
			t.Errorf("%v: retryable %v fallback %v, want %v %v", tc.kind, e.Retryable(), e.Fallback(), tc.retryable, tc.fallback)
		}
		ce := e.ConnectError()
		if ce.Code() != tc.code {
			t.Errorf("%v: code %v, want %v", tc.kind, ce.Code(), tc.code)
		}
		if tc.kind != provider.KindInvalidRequest && strings.Contains(ce.Message(), "acct_123") {
			t.Errorf("%v: the provider's message about the gateway's account reached the caller: %q", tc.kind, ce.Message())
		}
		if tc.kind == provider.KindRateLimited {
			if d, ok := errs.RetryAfter(ce); !ok || d != 2*time.Second {
				t.Errorf("rate limited: retry info %v %v, want 2s", d, ok)
			}
		}
	}
}

// TestConnectErrorWithoutRetryHint: a failure the provider gave no retry hint for
// carries no RetryInfo — a zero one tells the caller to retry at once (OpenAI's
// endpoint sent "Retry-After: 0", and SDK clients retried without waiting).
func TestConnectErrorWithoutRetryHint(t *testing.T) {
	t.Parallel()
	for _, k := range []provider.Kind{provider.KindRateLimited, provider.KindQuotaExhausted, provider.KindOverloaded, provider.KindServer, provider.KindUnknown} {
		ce := (&provider.Error{Provider: "openai", Kind: k}).ConnectError()
		if d, ok := errs.RetryAfter(ce); ok {
			t.Errorf("%v without a hint: retry after %v", k, d)
		}
		ce = (&provider.Error{Provider: "openai", Kind: k, RetryAfter: 1500 * time.Millisecond}).ConnectError()
		if d, ok := errs.RetryAfter(ce); !ok || d != 1500*time.Millisecond {
			t.Errorf("%v with a 1.5s hint: retry after %v %v", k, d, ok)
		}
	}
}
