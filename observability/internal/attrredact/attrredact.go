// Package attrredact lets package instrument redact attributes by the rules
// a logging.Handler applies — secret keys, credentials in strings, errors,
// structs and maps passed with slog.Any, keys that hold a credential —
// without logging exporting them: the access line redacts the parts its
// caller gave it (instrument.Annotate's attributes, the request id) itself
// when the logger's handler is not footing's, which redacts nothing.
package attrredact

import "log/slog"

// Attrs returns attrs as a logging.Handler with no extra secret keys would
// write them: secrets redacted, LogValuers resolved, empty attributes and
// groups dropped. attrs is not changed. It must be, and is, safe to call
// concurrently. Package logging sets Attrs when it is initialized, before
// any package importing logging is; nil until then.
var Attrs func(attrs []slog.Attr) []slog.Attr
