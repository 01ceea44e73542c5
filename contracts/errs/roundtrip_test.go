package errs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/footingdev/footing/contracts/errs"
	aiv1 "github.com/footingdev/footing/contracts/gen/go/footing/ai/v1"
	"github.com/footingdev/footing/contracts/gen/go/footing/ai/v1/aiv1connect"
	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
	"github.com/footingdev/footing/contracts/identity"
	"github.com/footingdev/footing/contracts/internal/connecttest"
)

// errorService returns the error named by the request's model field, from a unary
// call and from a stream after one message.
type errorService struct {
	aiv1connect.UnimplementedAIGatewayServiceHandler
}

const secretCause = "pq: password authentication failed for user app (secret=hunter2)"

func errorFor(name string) error {
	switch name {
	case "not-found":
		return errs.NotFound("ADR_NOT_FOUND", "no such ADR",
			errs.WithDomain("adr.footing.dev"), errs.WithMetadata("id", "a1", "kind", "adr"))
	case "bad-fields":
		return errs.InvalidArgument("INVALID_REQUEST", "bad fields",
			errs.WithFieldViolation("title", "must not be empty", "string.min_len"),
			errs.WithFieldViolation("tags[2]", "too long", "string.max_len"))
	case "rate":
		return errs.ResourceExhausted("RATE_LIMITED", "slow down", errs.WithRetryAfter(1500*time.Millisecond))
	case "plain":
		return fmt.Errorf("query adrs: %s", secretCause)
	case "internal-connect":
		return connect.NewError(connect.CodeInternal, errors.New(secretCause))
	case "internal-built":
		return errs.Internal(errors.New(secretCause))
	case "caused":
		return errs.Unavailable("STORE_UNAVAILABLE", "the store is unavailable", errs.WithCause(errors.New(secretCause)))
	case "deadline":
		return fmt.Errorf("wrapped: %w", context.DeadlineExceeded)
	case "bad-utf8":
		name := "adr-\xff\xfe"
		return errs.NotFound("ADR_NOT_FOUND", "no ADR named "+name, errs.WithMetadata("name", name))
	}
	return nil
}

func (errorService) Complete(_ context.Context, req *connect.Request[aiv1.CompleteRequest]) (*connect.Response[aiv1.CompleteResponse], error) {
	return nil, errorFor(req.Msg.GetChat().GetModel())
}

func (errorService) Chat(_ context.Context, req *connect.Request[aiv1.ChatRequest], stream *connect.ServerStream[aiv1.ChatResponse]) error {
	if err := stream.Send(&aiv1.ChatResponse{Chunk: &aiv1.ChatChunk{DeltaText: "partial"}}); err != nil {
		return err
	}
	return errorFor(req.Msg.GetModel())
}

type hookCall struct {
	procedure string
	id        string
	cause     error
}

func setup(t *testing.T) (func(connecttest.Protocol) aiv1connect.AIGatewayServiceClient, chan hookCall) {
	t.Helper()
	calls := make(chan hookCall, 16)
	hook := func(_ context.Context, procedure string, e *errs.InternalError) {
		calls <- hookCall{procedure, e.ID, e.Cause}
	}
	// The request id normally comes from gatewaycore's edge middleware.
	var withRequestID requestIDInterceptor
	path, handler := aiv1connect.NewAIGatewayServiceHandler(errorService{},
		connect.WithInterceptors(withRequestID, errs.NewInterceptor(errs.WithInternalErrorHook(hook))))
	url, httpClient := connecttest.Serve(t, path, handler)
	return func(p connecttest.Protocol) aiv1connect.AIGatewayServiceClient {
		return aiv1connect.NewAIGatewayServiceClient(httpClient, url, p.Option)
	}, calls
}

// callBoth makes the unary and the streaming call for name and returns both errors.
func callBoth(t *testing.T, client aiv1connect.AIGatewayServiceClient, name string) (unary, stream error) {
	t.Helper()
	ctx := context.Background()
	_, unary = client.Complete(ctx, connect.NewRequest(&aiv1.CompleteRequest{Chat: &aiv1.ChatRequest{Model: name}}))
	s, err := client.Chat(ctx, connect.NewRequest(&aiv1.ChatRequest{Model: name}))
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	defer s.Close()
	if !s.Receive() {
		t.Fatalf("stream ended before its first message: %v", s.Err())
	}
	if s.Receive() {
		t.Fatal("stream sent a second message")
	}
	return unary, s.Err()
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	newClient, _ := setup(t)
	for _, p := range connecttest.Protocols() {
		t.Run(p.Name, func(t *testing.T) {
			t.Parallel()
			client := newClient(p)
			check := func(t *testing.T, name string, want func(*testing.T, errs.Details)) {
				t.Helper()
				unary, stream := callBoth(t, client, name)
				for kind, err := range map[string]error{"unary": unary, "stream": stream} {
					t.Run(kind, func(t *testing.T) { want(t, errs.From(err)) })
				}
			}
			check(t, "not-found", func(t *testing.T, d errs.Details) {
				if d.Code != connect.CodeNotFound || d.Reason != "ADR_NOT_FOUND" || d.Domain != "adr.footing.dev" ||
					d.Metadata["id"] != "a1" || d.Metadata["kind"] != "adr" || d.Message != "no such ADR" || d.RequestID != "req-7" {
					t.Fatalf("details = %+v", d)
				}
			})
			check(t, "bad-fields", func(t *testing.T, d errs.Details) {
				if d.Code != connect.CodeInvalidArgument || len(d.FieldViolations) != 2 {
					t.Fatalf("details = %+v", d)
				}
				v := d.FieldViolations[1]
				if v.GetField() != "tags[2]" || v.GetDescription() != "too long" || v.GetReason() != "string.max_len" {
					t.Fatalf("violation = %v", v)
				}
			})
			check(t, "rate", func(t *testing.T, d errs.Details) {
				if d.Code != connect.CodeResourceExhausted || !d.HasRetryAfter || d.RetryAfter != 1500*time.Millisecond {
					t.Fatalf("details = %+v", d)
				}
			})
			check(t, "deadline", func(t *testing.T, d errs.Details) {
				if d.Code != connect.CodeDeadlineExceeded {
					t.Fatalf("details = %+v", d)
				}
			})
		})
	}
}

func TestInternalErrorsHideTheirCause(t *testing.T) {
	t.Parallel()
	newClient, calls := setup(t)
	for _, p := range connecttest.Protocols() {
		client := newClient(p)
		for _, name := range []string{"plain", "internal-connect", "internal-built"} {
			unary, stream := callBoth(t, client, name)
			// In call order, which is the order the hook heard them.
			for i, err := range []error{unary, stream} {
				d := errs.From(err)
				where := p.Name + "/" + name + "/" + []string{"unary", "stream"}[i]
				if d.Code != connect.CodeInternal || d.Reason != "INTERNAL" || len(d.ErrorID) != 16 || d.RequestID != "req-7" {
					t.Fatalf("%s: details = %+v", where, d)
				}
				if d.Message != errs.InternalMessage+" (error id "+d.ErrorID+")" {
					t.Fatalf("%s: message %q reveals more than the id", where, d.Message)
				}
				// The server was told the same id and the real cause.
				select {
				case c := <-calls:
					if c.id != d.ErrorID || c.cause == nil || c.cause.Error() == "" || c.procedure == "" {
						t.Fatalf("%s: hook got %+v, want id %s with the cause", where, c, d.ErrorID)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("%s: internal error hook not called", where)
				}
			}
		}
	}
}

// requestIDInterceptor puts request id "req-7" into every handler's context, unary and
// streaming, as gatewaycore's edge does.
type requestIDInterceptor struct{}

func (requestIDInterceptor) ctx(ctx context.Context) context.Context {
	return withRequestIDValue(ctx, "req-7")
}

func withRequestIDValue(ctx context.Context, id string) context.Context {
	return identity.WithRequestMetadata(ctx, &commonv1.RequestMetadata{RequestId: id})
}

func (r requestIDInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		return next(r.ctx(ctx), req)
	}
}

func (requestIDInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (r requestIDInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		return next(r.ctx(ctx), conn)
	}
}

// TestCauseStaysOnServer: an error built WithCause reaches the caller with its code,
// reason and message, and nothing of the cause's text, on every protocol, unary and
// streaming.
func TestCauseStaysOnServer(t *testing.T) {
	t.Parallel()
	newClient, _ := setup(t)
	for _, p := range connecttest.Protocols() {
		unary, stream := callBoth(t, newClient(p), "caused")
		for i, err := range []error{unary, stream} {
			where := p.Name + "/" + []string{"unary", "stream"}[i]
			d := errs.From(err)
			if d.Code != connect.CodeUnavailable || d.Reason != "STORE_UNAVAILABLE" || d.Message != "the store is unavailable" {
				t.Fatalf("%s: details = %+v", where, d)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(fmt.Sprint(d), "hunter2") {
				t.Fatalf("%s: the cause reached the caller: %v", where, err)
			}
		}
	}
}
