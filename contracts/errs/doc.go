// Package errs is footing's one error model.
//
// Every error a footing service returns is a [*connect.Error] with a fixed
// [connect.Code] and, as details, the footing.common.v1 messages
// [commonv1.ErrorInfo] (reason, domain, metadata), [commonv1.BadRequest] (field
// violations), [commonv1.RetryInfo] (when to retry) and [commonv1.RequestInfo]
// (request id, and for internal errors the error id). The same details reach
// Connect, gRPC and gRPC-Web clients unchanged, gatewaycore renders them as the
// HTTP JSON error body for plain HTTP handlers, and the TypeScript client decodes
// them.
//
// Build errors with the constructor for their code ([NotFound], [InvalidArgument],
// ...) and [Option]s; read them back from any error with [From].
//
// An error carrying a gRPC status — what a grpc-go client returns, bare or wrapped —
// is the same error as a Connect peer's answer of the same code, message and
// details: [From] reads it, and [NewInterceptor] and [Normalize] hold it to the rules
// of an error received from another service.
//
// Internal errors never show their cause to the caller: [Internal] keeps the cause
// for the server (reachable with [errors.As] on [*InternalError]) and sends only a
// generic message with an error id. [NewInterceptor] applies that rule to every
// error a handler returns, so that a stray fmt.Errorf cannot leak.
package errs
