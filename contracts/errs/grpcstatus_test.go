package errs_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
)

// grpcStatusError is an error as a grpc-go client returns it: code, message and
// details (footing's, and any others as they came, such as google.rpc.DebugInfo).
func grpcStatusError(code codes.Code, msg string, details ...protoadapt.MessageV1) error {
	s, err := status.New(code, msg).WithDetails(details...)
	if err != nil {
		panic(err)
	}
	return s.Err()
}

// withForeignDetail returns err's status with one more detail, a of a type this
// binary need not know.
func withForeignDetail(err error, a *anypb.Any) error {
	p := status.Convert(err).Proto()
	p.Details = append(p.Details, a)
	return status.FromProto(p).Err()
}

// okStatusError is a caller's bug: a non-nil error whose gRPC status is OK (grpc-go's
// own constructors give nil for OK, a hand-written GRPCStatus need not).
type okStatusError struct{ s *status.Status }

func (e okStatusError) Error() string              { return "everything is fine (secret=hunter2)" }
func (e okStatusError) GRPCStatus() *status.Status { return e.s }

// TestFromReadsAGRPCStatus: From reads the error model from an error carrying a gRPC
// status (grpc-go's client errors, bare or wrapped with %w) as it does from the
// *connect.Error a Connect client gets for the same answer: its code, its message
// (not the wrapping's words), and footing's details among the others.
func TestFromReadsAGRPCStatus(t *testing.T) {
	t.Parallel()
	grpcErr := grpcStatusError(codes.ResourceExhausted, "the quota is used up",
		&commonv1.ErrorInfo{Reason: "QUOTA_EXCEEDED", Domain: "ai.footing.dev", Metadata: map[string]string{"tenant": "t-1"}},
		&commonv1.RetryInfo{RetryDelay: durationpb.New(3 * time.Second)},
		&commonv1.BadRequest{FieldViolations: []*commonv1.BadRequest_FieldViolation{{Field: "model", Reason: "string.in"}}},
		&commonv1.RequestInfo{RequestId: "down-1", ErrorId: "e-1"})
	grpcErr = withForeignDetail(grpcErr, &anypb.Any{TypeUrl: "type.googleapis.com/google.rpc.DebugInfo", Value: []byte{0x12, 0x01, 'x'}})
	connectErr := peerError(connect.CodeResourceExhausted, "the quota is used up",
		&commonv1.ErrorInfo{Reason: "QUOTA_EXCEEDED", Domain: "ai.footing.dev", Metadata: map[string]string{"tenant": "t-1"}},
		&commonv1.RetryInfo{RetryDelay: durationpb.New(3 * time.Second)},
		&commonv1.BadRequest{FieldViolations: []*commonv1.BadRequest_FieldViolation{{Field: "model", Reason: "string.in"}}},
		&commonv1.RequestInfo{RequestId: "down-1", ErrorId: "e-1"})
	want := fmt.Sprintf("%+v", errs.From(connectErr))
	for name, err := range map[string]error{
		"bare":    grpcErr,
		"wrapped": fmt.Errorf("charging tenant t-1: %w", grpcErr),
		"joined":  errors.Join(errors.New("charging"), fmt.Errorf("twice: %w", grpcErr)),
	} {
		d := errs.From(err)
		if got := fmt.Sprintf("%+v", d); got != want {
			t.Errorf("%s: From = %s\nwant the Connect peer's %s", name, got, want)
		}
		if d.Code != connect.CodeResourceExhausted || d.Reason != "QUOTA_EXCEEDED" || d.RetryAfter != 3*time.Second || d.Message != "the quota is used up" {
			t.Errorf("%s: From = %+v", name, d)
		}
		if got := errs.Reason(err); got != "QUOTA_EXCEEDED" {
			t.Errorf("%s: Reason = %q", name, got)
		}
	}
	// Every code but OK is the Connect code of the same number.
	for c := codes.Canceled; c <= codes.Unauthenticated; c++ {
		if d := errs.From(status.Error(c, "m")); int(d.Code) != int(c) || d.Code.String() != connect.Code(c).String() || d.Message != "m" {
			t.Errorf("From(%v) = %+v", c, d)
		}
	}
	// A non-nil error whose status says OK (or is nil, or a code outside the model)
	// is a bug of whoever made it: it reads as Unknown, like any error without a code.
	for name, err := range map[string]error{
		"ok":           okStatusError{status.New(codes.OK, "fine")},
		"nil status":   okStatusError{},
		"wrapped ok":   fmt.Errorf("x: %w", okStatusError{status.New(codes.OK, "fine")}),
		"out of range": okStatusError{status.New(codes.Code(17), "seventeen")},
	} {
		if d := errs.From(err); d.Code != connect.CodeUnknown || d.Message != err.Error() {
			t.Errorf("%s: From = %+v", name, d)
		}
	}
	// A nil grpc-go status error returned as a non-nil error, whose methods panic.
	if d := errs.From(nilGRPCStatusError()); d.Code != connect.CodeUnknown {
		t.Errorf("typed nil: From = %+v", d)
	}
}

// nilGRPCStatusError is the typed-nil mistake with grpc-go's status error type: a nil
// pointer returned as a non-nil error (its GRPCStatus and Error methods panic).
func nilGRPCStatusError() error {
	return reflect.Zero(reflect.TypeOf(status.Error(codes.NotFound, "x"))).Interface().(error) //nolint:forcetypeassert // the type is an error
}
