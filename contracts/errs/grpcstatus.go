package errs

import (
	"context"
	"errors"

	"connectrpc.com/connect"
	"google.golang.org/grpc/status"
)

// A grpcStatusError is an error that carries a gRPC status, as those of
// google.golang.org/grpc/status (every error a grpc-go client returns) do.
type grpcStatusError interface {
	error
	GRPCStatus() *status.Status
}

// fromGRPCStatus returns the gRPC status err carries (err itself or any error it
// wraps) as the *connect.Error a Connect client receives from a peer answering with
// the same status: a wire error with the status's code, message and details (each
// status detail, an Any, becomes the error detail of the same type and bytes).
//
// It reports false when err carries no status, or one that is no error of the model:
// nil, code OK (a bug of whoever made the error: grpc-go's own constructors give a
// nil error for OK), or a code past Unauthenticated. Such an error is an error
// without a code, as any other that is not a *connect.Error. broken reports that
// asking for the status panicked: a nil pointer of a type whose methods read their
// receiver (grpc-go's own do) returned as a non-nil error, the typed-nil mistake;
// neither GRPCStatus nor Error may be called on it, and reporting an error never
// panics.
//
// gRPC and Connect share their codes, 1 (Canceled) to 16 (Unauthenticated), and
// google.rpc.Status's details are the Anys of a Connect error's details.
func fromGRPCStatus(err error) (cerr *connect.Error, ok, broken bool) {
	var gs grpcStatusError
	if !errors.As(err, &gs) {
		return nil, false, false
	}
	s, broken := grpcStatus(gs)
	if s == nil || s.Code() < 1 || s.Code() > 16 {
		return nil, false, broken
	}
	p := s.Proto()
	cerr = connect.NewWireError(connect.Code(s.Code()), errors.New(p.GetMessage()))
	for _, a := range p.GetDetails() {
		if a == nil {
			continue
		}
		if d, derr := connect.NewErrorDetail(a); derr == nil { // Never fails for an Any.
			cerr.AddDetail(d)
		}
	}
	return cerr, true, false
}

// grpcStatus returns gs's status, or broken if asking for it panicked.
func grpcStatus(gs grpcStatusError) (s *status.Status, broken bool) {
	defer func() {
		if recover() != nil {
			s, broken = nil, true
		}
	}()
	return gs.GRPCStatus(), false
}

// grpcClientFailure returns the answer to cerr, made by [fromGRPCStatus] from err,
// if it may be a status that the grpc-go client made itself rather than one the peer
// answered with: grpc-go marks neither, but its own statuses have no details, and
// those of codes Unavailable, Unauthenticated, DeadlineExceeded and Canceled carry
// the text of another failure ("connection error: desc = \"transport: Error while
// dialing: dial tcp 10.0.3.7:443: connect: connection refused\"", "latest balancer
// error: …", "transport: per-RPC creds failed due to error: …"), which names the
// peer, a credential service or worse. Such a status keeps its code and loses its
// text, err staying behind the answer on the server as with [WithCause]:
// Unavailable and Unauthenticated are answered as a Connect client's network
// failure is ([ReasonUpstreamFailed]); DeadlineExceeded and Canceled with the text
// of context.DeadlineExceeded and context.Canceled, as a Connect client's own are.
func grpcClientFailure(cerr *connect.Error, err error, requestID string) (*connect.Error, bool) {
	if len(cerr.Details()) > 0 {
		return nil, false // The peer's answer: grpc-go's own statuses have none.
	}
	switch code := cerr.Code(); code {
	case connect.CodeUnavailable, connect.CodeUnauthenticated:
		return New(code, ReasonUpstreamFailed, upstreamFailedMessage, WithCause(err), WithRequestID(requestID)), true
	case connect.CodeDeadlineExceeded:
		return New(code, "", context.DeadlineExceeded.Error(), WithCause(err), WithRequestID(requestID)), true
	case connect.CodeCanceled:
		return New(code, "", context.Canceled.Error(), WithCause(err), WithRequestID(requestID)), true
	default:
		return nil, false
	}
}
