package errs_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
)

func Example() {
	err := errs.InvalidArgument("INVALID_ADR", "the ADR is invalid",
		errs.WithFieldViolation("title", "must not be empty", "string.min_len"))

	d := errs.From(err)
	fmt.Println(d.Code, d.Reason, d.FieldViolations[0].GetField())
	// Output: invalid_argument INVALID_ADR title
}

func ExampleResourceExhausted() {
	err := errs.ResourceExhausted("RATE_LIMITED", "too many requests", errs.WithRetryAfter(2*time.Second))
	delay, _ := errs.RetryAfter(err)
	fmt.Println(delay)
	// Output: 2s
}

func ExampleInternal() {
	err := errs.Internal(errors.New("connection reset by peer"))

	// The caller sees only a generic message and the error id...
	d := errs.From(err)
	fmt.Println(d.Message == errs.InternalMessage+" (error id "+d.ErrorID+")")

	// ...while the server can still reach the cause, to log it with the id.
	ie, _ := errs.AsInternal(err)
	fmt.Println(ie.Cause)
	// Output:
	// true
	// connection reset by peer
}

func ExampleInvalidPageToken() {
	err := errs.InvalidPageToken("not valid for this listing", errs.WithDomain("adr.example.com"))
	d := errs.From(err)
	fmt.Println(d.Code, d.Reason, d.FieldViolations[0].GetField())
	fmt.Println(err.Message())
	// Output:
	// invalid_argument PAGE_TOKEN_INVALID page.page_token
	// the page token is not valid for this listing; start the listing again without one
}

func ExampleFrom_grpcStatus() {
	// An error as a grpc-go client returns it, wrapped by the code that called it.
	s, _ := status.New(codes.NotFound, "no such ADR").WithDetails(&commonv1.ErrorInfo{Reason: "ADR_NOT_FOUND"})
	err := fmt.Errorf("loading ADR 7: %w", s.Err())

	// It reads as the same answer from a Connect peer would: the status's code,
	// message and details, not the wrapping's words.
	d := errs.From(err)
	fmt.Println(d.Code, d.Reason, d.Message)
	// Output: not_found ADR_NOT_FOUND no such ADR
}

func ExampleNormalize_grpcStatus() {
	// A handler called a gRPC service with grpc-go and returns its error, wrapped.
	s, _ := status.New(codes.ResourceExhausted, "the quota is used up").WithDetails(
		&commonv1.ErrorInfo{Reason: "QUOTA_EXCEEDED"},
		&commonv1.RetryInfo{RetryDelay: durationpb.New(3 * time.Second)})
	err := fmt.Errorf("charging tenant t-1: %w", s.Err())

	// Its caller gets what a Connect peer's same answer would give it: the code, the
	// peer's message and details, not the handler's words.
	out := errs.Normalize(context.Background(), err, nil)
	d := errs.From(out)
	fmt.Println(out.Code(), d.Reason, d.RetryAfter, out.Message())
	// Output: resource_exhausted QUOTA_EXCEEDED 3s the quota is used up
}
