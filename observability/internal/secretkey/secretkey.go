// Package secretkey lets package instrument ask package logging's question —
// are the values under this key secrets? — without logging exporting its
// rules: the query parameters of the URLs instrument records are judged by the
// keys and rules a logging.Handler redacts by, not by a second list.
package secretkey

// New returns a function that reports whether values under a key are
// secrets: the key, lower-cased and stripped of '_', '-', '.' and spaces, is
// one of logging.DefaultSecretKeys or extra, or matches the rules that extend
// them (a secret suffix such as "token" or "signature", a secret word such as
// "password" anywhere). The function must be, and is, safe to call
// concurrently, and does not allocate. Package logging sets New when it is
// initialized, before any package importing logging is; nil until then.
var New func(extra []string) func(key string) bool
