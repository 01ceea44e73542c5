package errs

import (
	"errors"
	"time"

	"connectrpc.com/connect"

	commonv1 "github.com/footingdev/footing/contracts/gen/go/footing/common/v1"
)

// Details is everything the error model says about an error, read back from any
// error by [From].
type Details struct {
	// Code is the error's code; CodeUnknown for errors that are neither a
	// *connect.Error nor carry a gRPC status.
	Code connect.Code
	// Message is the message the caller sees.
	Message string
	// Reason and Domain come from ErrorInfo.
	Reason string
	Domain string
	// Metadata comes from ErrorInfo; nil when there is none.
	Metadata map[string]string
	// FieldViolations come from BadRequest.
	FieldViolations []*commonv1.BadRequest_FieldViolation
	// RetryAfter comes from RetryInfo; HasRetryAfter says whether there was one. It is
	// never negative nor longer than [MaxRetryAfter], whatever a peer sent.
	RetryAfter    time.Duration
	HasRetryAfter bool
	// RequestID and ErrorID come from RequestInfo.
	RequestID string
	ErrorID   string
}

// MaxRetryAfter is the longest RetryAfter [From] reports: a longer RetryInfo delay,
// such as a peer's claim of years, reads as MaxRetryAfter, so that a client that
// honours it is not parked for good.
const MaxRetryAfter = 24 * time.Hour

// Fully-qualified names of the detail types From reads.
var (
	typeErrorInfo   = string((*commonv1.ErrorInfo)(nil).ProtoReflect().Descriptor().FullName())
	typeBadRequest  = string((*commonv1.BadRequest)(nil).ProtoReflect().Descriptor().FullName())
	typeRetryInfo   = string((*commonv1.RetryInfo)(nil).ProtoReflect().Descriptor().FullName())
	typeRequestInfo = string((*commonv1.RequestInfo)(nil).ProtoReflect().Descriptor().FullName())
)

// From reads the error model's details from err. It works on errors built by this
// package, on errors received by a Connect, gRPC or gRPC-Web client, on errors
// carrying a gRPC status (a GRPCStatus method, as those of grpc-go's clients and of
// google.golang.org/grpc/status have), and on any error wrapping one of those: the
// message is then the *connect.Error's or the status's own, never the wrapping's
// words. A gRPC status reads as the *connect.Error a Connect client gets for the
// same answer (the codes are the same; the status's details are the error's
// details). For a nil err it returns the zero Details with CodeUnknown cleared to 0;
// for other errors, and for a status of code OK in a non-nil error (a bug of whoever
// made it), CodeUnknown and err's message.
//
// Everything From returns about an error received from a peer is that peer's claim:
// details of other types and details that do not parse are skipped, a RetryInfo
// delay is held to [0, MaxRetryAfter] (an invalid one is ignored), and the text
// (message, metadata, field violations) is the peer's own, possibly with control
// characters: escape it before printing it to a terminal or a log line.
func From(err error) Details {
	if err == nil {
		return Details{}
	}
	var cerr *connect.Error
	if !errors.As(err, &cerr) {
		g, ok, broken := fromGRPCStatus(err)
		switch {
		case broken:
			// A nil pointer carrying a gRPC status: its methods would panic.
			return Details{Code: connect.CodeUnknown}
		case !ok:
			return Details{Code: connect.CodeUnknown, Message: err.Error()}
		}
		cerr = g
	}
	if cerr == nil {
		// A nil *connect.Error returned as a non-nil error: its methods would panic.
		return Details{Code: connect.CodeUnknown}
	}
	d := Details{Code: cerr.Code(), Message: cerr.Message()}
	for _, detail := range cerr.Details() {
		switch detail.Type() {
		case typeErrorInfo, typeBadRequest, typeRetryInfo, typeRequestInfo:
		default:
			continue // Not ours: not worth unmarshalling.
		}
		v, err := detail.Value()
		if err != nil {
			continue // A detail type this binary does not know.
		}
		switch m := v.(type) {
		case *commonv1.ErrorInfo:
			d.Reason, d.Domain = m.GetReason(), m.GetDomain()
			if len(m.GetMetadata()) > 0 {
				d.Metadata = m.GetMetadata()
			}
		case *commonv1.BadRequest:
			d.FieldViolations = append(d.FieldViolations, m.GetFieldViolations()...)
		case *commonv1.RetryInfo:
			if delay := m.GetRetryDelay(); delay == nil || delay.CheckValid() == nil {
				d.RetryAfter, d.HasRetryAfter = min(max(delay.AsDuration(), 0), MaxRetryAfter), true
			}
		case *commonv1.RequestInfo:
			d.RequestID, d.ErrorID = m.GetRequestId(), m.GetErrorId()
		}
	}
	return d
}

// Reason returns the ErrorInfo reason of err, or "".
func Reason(err error) string { return From(err).Reason }

// RetryAfter returns the RetryInfo delay of err and whether it had one.
func RetryAfter(err error) (time.Duration, bool) {
	d := From(err)
	return d.RetryAfter, d.HasRetryAfter
}
