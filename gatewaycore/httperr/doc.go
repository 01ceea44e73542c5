// Package httperr writes errors of the footing error model (contracts/errs) as HTTP
// responses, so that plain HTTP handlers answer exactly as Connect handlers do: the
// HTTP status of the error's code, a Connect-format JSON body (code, message and the
// footing details: ErrorInfo, BadRequest, RetryInfo, RequestInfo) and a Retry-After
// header when the error carries RetryInfo. For gRPC, gRPC-Web and Connect streaming
// requests it writes the error in that protocol's own framing instead.
//
// Internal errors never reach the caller: any error that is not a *connect.Error, or
// one with code Unknown, Internal or DataLoss, is replaced by errs.Internal, whose error
// id is handed to the configured hook for logging next to the real cause.
package httperr
