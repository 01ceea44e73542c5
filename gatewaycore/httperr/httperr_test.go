package httperr_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/gatewaycore/httperr"
)

type wireError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details []struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"details"`
}

func (w wireError) detail(t *testing.T, m proto.Message) bool {
	t.Helper()
	name := string(m.ProtoReflect().Descriptor().FullName())
	for _, d := range w.Details {
		if d.Type != name {
			continue
		}
		b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(d.Value, "="))
		if err != nil {
			t.Fatalf("detail %s: %v", name, err)
		}
		if err := proto.Unmarshal(b, m); err != nil {
			t.Fatalf("detail %s: %v", name, err)
		}
		return true
	}
	return false
}

func serve(t *testing.T, wr *httperr.Writer, r *http.Request, err error) (*httptest.ResponseRecorder, wireError) {
	t.Helper()
	rec := httptest.NewRecorder()
	wr.Handler(func(http.ResponseWriter, *http.Request) error { return err }).ServeHTTP(rec, r)
	var we wireError
	if rec.Header().Get("Content-Type") == "application/json" {
		if jerr := json.Unmarshal(rec.Body.Bytes(), &we); jerr != nil {
			t.Fatalf("body %q: %v", rec.Body.String(), jerr)
		}
	}
	return rec, we
}

func TestWriteMapsCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		status     int
		code       string
		reason     string
		retryAfter string
	}{
		{"not found", errs.NotFound("ADR_NOT_FOUND", "no such ADR"), 404, "not_found", "ADR_NOT_FOUND", ""},
		{"invalid", errs.InvalidArgument("BAD", "bad", errs.WithFieldViolation("a.b", "required", "required")), 400, "invalid_argument", "BAD", ""},
		{"rate limited", errs.ResourceExhausted("RATE_LIMITED", "slow down", errs.WithRetryAfter(1500*time.Millisecond)), 429, "resource_exhausted", "RATE_LIMITED", "2"},
		{"unauthenticated", errs.Unauthenticated("UNAUTHENTICATED", "no"), 401, "unauthenticated", "UNAUTHENTICATED", ""},
		{"wrapped", fmt.Errorf("loading: %w", errs.PermissionDenied("DENIED", "no")), 403, "permission_denied", "DENIED", ""},
		{"deadline", context.DeadlineExceeded, 504, "deadline_exceeded", "DEADLINE_EXCEEDED", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodGet, "/x", nil)
			rec, we := serve(t, httperr.New(), r, tc.err)
			if rec.Code != tc.status || we.Code != tc.code {
				t.Fatalf("got %d %q, want %d %q", rec.Code, we.Code, tc.status, tc.code)
			}
			var info commonv1.ErrorInfo
			if !we.detail(t, &info) || info.GetReason() != tc.reason {
				t.Fatalf("reason = %q, want %q", info.GetReason(), tc.reason)
			}
			if got := rec.Header().Get("Retry-After"); got != tc.retryAfter {
				t.Fatalf("Retry-After = %q, want %q", got, tc.retryAfter)
			}
		})
	}
}

func TestInternalErrorsHideTheirCause(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []*errs.InternalError
	wr := httperr.New(httperr.WithInternalErrorHook(func(_ context.Context, _ *http.Request, e *errs.InternalError) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, e)
	}))
	secret := errors.New("dial tcp 10.0.0.7:5432: password=hunter2")
	for _, err := range []error{secret, errs.Internal(secret)} {
		r := httptest.NewRequest(http.MethodPost, "/x", nil)
		ctx := identity.WithRequestMetadata(r.Context(), &commonv1.RequestMetadata{RequestId: "req-1"})
		rec, we := serve(t, wr, r.WithContext(ctx), err)
		if rec.Code != 500 || we.Code != "internal" {
			t.Fatalf("got %d %q", rec.Code, we.Code)
		}
		if strings.Contains(rec.Body.String(), "hunter2") || strings.Contains(rec.Body.String(), "10.0.0.7") {
			t.Fatalf("cause leaked: %s", rec.Body.String())
		}
		var info commonv1.RequestInfo
		if !we.detail(t, &info) || info.GetRequestId() != "req-1" || info.GetErrorId() == "" {
			t.Fatalf("RequestInfo = %v", &info)
		}
		mu.Lock()
		last := got[len(got)-1]
		mu.Unlock()
		if last.ID != info.GetErrorId() || !errors.Is(last, secret) {
			t.Fatalf("hook saw id %q cause %v; response id %q", last.ID, last.Cause, info.GetErrorId())
		}
	}
}

func TestGRPCRequestsGetTrailers(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodPost, "/pkg.Svc/M", nil)
	r.Header.Set("Content-Type", "application/grpc")
	rec, _ := serve(t, httperr.New(), r, errs.ResourceExhausted("RATE_LIMITED", "slow down", errs.WithRetryAfter(time.Second)))
	if rec.Code != 200 || rec.Header().Get("Grpc-Status") != "8" {
		t.Fatalf("got %d grpc-status %q", rec.Code, rec.Header().Get("Grpc-Status"))
	}
	if rec.Header().Get("Retry-After") != "1" {
		t.Fatalf("Retry-After = %q", rec.Header().Get("Retry-After"))
	}
}

func TestWriteStatus(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodPost, "/upload", nil)
	rec := httptest.NewRecorder()
	httperr.New().WriteStatus(rec, r, http.StatusRequestEntityTooLarge, errs.New(8, "REQUEST_TOO_LARGE", "too large"))
	if rec.Code != 413 || !strings.Contains(rec.Body.String(), "resource_exhausted") {
		t.Fatalf("got %d %s", rec.Code, rec.Body.String())
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	t.Parallel()
	for in, want := range map[float64]string{0: "0", -1: "0", 0.001: "1", 1: "1", 1.2: "2", 1e12: "2147483648"} {
		if got := httperr.RetryAfterSeconds(in); got != want {
			t.Errorf("RetryAfterSeconds(%v) = %q, want %q", in, got, want)
		}
	}
}
