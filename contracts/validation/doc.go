// Package validation enforces the protovalidate rules written in footing's protos
// (buf.validate annotations) with a [connect.Interceptor].
//
// On a server, a request that breaks a rule is answered with InvalidArgument in the
// error model of [github.com/footingdev/footing/contracts/errs]: reason
// "INVALID_REQUEST", and one field violation (path, message, rule id) per broken
// rule, up to [MaxViolations] (ErrorInfo metadata "violations" then gives the
// total), before the handler runs. Every message of a client or bidi stream is
// checked as it is received. On a client, requests are checked before they are
// sent, so an invalid request never leaves the process.
package validation
