package validation

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"buf.build/go/protovalidate"
	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	"github.com/footingdev/footing/contracts/errs"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
)

// Reason is the ErrorInfo reason of a request rejected by validation.
const Reason = "INVALID_REQUEST"

// MaxViolations is the most field violations a rejection lists. A request with more
// broken rules gets the first MaxViolations, and the ErrorInfo metadata "violations"
// gives the total: a small request with many broken items must not get back an
// error many times its size, or larger than a gRPC trailer may be.
const MaxViolations = 100

// An Option configures the interceptor built by [NewInterceptor].
type Option func(*interceptor)

// WithValidator uses v instead of protovalidate's global validator. A nil v is ignored.
func WithValidator(v protovalidate.Validator) Option {
	return func(i *interceptor) {
		if v != nil {
			i.validator = v
		}
	}
}

// NewInterceptor returns an interceptor that validates every request message, unary
// and streamed, against its protovalidate rules. See the package documentation. On a
// server, put it after errs.NewInterceptor in connect.WithInterceptors, so that a
// unary rejection passes through that one and names the request id.
func NewInterceptor(opts ...Option) connect.Interceptor {
	i := &interceptor{validator: protovalidate.GlobalValidator}
	for _, opt := range opts {
		opt(i)
	}
	return i
}

type interceptor struct {
	validator protovalidate.Validator
}

func (i *interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if err := i.check(req.Any()); err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (i *interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		return &clientConn{StreamingClientConn: next(ctx, spec), i: i}
	}
}

func (i *interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		return next(ctx, &handlerConn{StreamingHandlerConn: conn, i: i})
	}
}

type clientConn struct {
	connect.StreamingClientConn
	i *interceptor
}

func (c *clientConn) Send(msg any) error {
	if err := c.i.check(msg); err != nil {
		return err
	}
	return c.StreamingClientConn.Send(msg)
}

type handlerConn struct {
	connect.StreamingHandlerConn
	i *interceptor
}

func (c *handlerConn) Receive(msg any) error {
	if err := c.StreamingHandlerConn.Receive(msg); err != nil {
		return err
	}
	return c.i.check(msg)
}

// check validates msg and turns a violation into the error model.
func (i *interceptor) check(msg any) error {
	m, ok := msg.(proto.Message)
	if !ok {
		return nil // Not a protobuf message (a custom codec): nothing to enforce.
	}
	return ToError(i.validator.Validate(m))
}

// ToError turns an error from protovalidate into the error model: a
// *protovalidate.ValidationError becomes InvalidArgument with one field violation per
// broken rule; any other error (a rule that does not compile) becomes Internal, since
// the caller cannot fix it. A nil err gives nil.
func ToError(err error) error {
	if err == nil {
		return nil
	}
	var verr *protovalidate.ValidationError
	if !errors.As(err, &verr) {
		return errs.Internal(fmt.Errorf("validation: %w", err))
	}
	shown := verr.Violations[:min(len(verr.Violations), MaxViolations)]
	violations := make([]*commonv1.BadRequest_FieldViolation, 0, len(shown))
	for _, v := range shown {
		violations = append(violations, &commonv1.BadRequest_FieldViolation{
			Field:       protovalidate.FieldPathString(v.Proto.GetField()),
			Description: v.Proto.GetMessage(),
			Reason:      v.Proto.GetRuleId(),
		})
	}
	opts := []errs.Option{errs.WithFieldViolations(violations...)}
	if len(verr.Violations) > MaxViolations {
		opts = append(opts, errs.WithMetadata("violations", strconv.Itoa(len(verr.Violations))))
	}
	return errs.InvalidArgument(Reason, "the request is invalid", opts...)
}
