// Package logging gives footing's [slog.Handler]: JSON or text lines that carry
// the trace id, span id, request id, tenant and user of the context they are
// logged under, and that never show a secret.
//
// Redaction works on keys and on values. An attribute whose key names a secret
// (password, token, access_token, refresh_token, authorization, cookie,
// set-cookie, api_key, secret, … in any case and with any separators, at any
// depth, in groups, and in the fields and keys of structs and maps passed with
// slog.Any) is written as [Redacted]. An http.Cookie passed with slog.Any, alone
// or inside a struct, map or slice, keeps its name, path and flags but has its
// Value, Raw and Unparsed redacted under any key: a cookie carries a session or
// CSRF token whatever it is logged as. A []byte inside such a value, which
// encoding/json writes in base64, is decoded and written as [Redacted] when its
// text holds a credential. A string anywhere (the message, a value,
// an error's text, a []byte, a url.URL) that holds a bearer or basic credential,
// a JWT, a URL with user info, a key=value pair under a secret key (a query
// string's access_token=…, a DSN's password=…), a JSON member under one
// ("client_secret":"…", also quoted into a string) or a header line under one
// ("X-Api-Key: …", the rest of the line) has that part replaced by [Redacted].
// Text often holds URLs (a request line, a client's error naming the URL it
// called): "Bearer …" after a '/' or a '=' is a credential as it is after a
// space ("GET /t/Bearer [REDACTED]"); a key=value inside a URL's path ends at
// the next '/' or '?', as a router reads the segment
// ("/cb/access_token=[REDACTED]/done"), while in a query, a fragment or
// plain text it runs on past a '/', which a base64 secret may hold; and a
// value or a token never swallows the scheme of a credential after it
// ("access_token=[REDACTED]/Bearer [REDACTED]"). A URL's user info
// is replaced whole, user name included, whatever the scheme:
// "https://ghp_…@github.com/o/r" and "postgres://app:pw@db/x" become
// "https://[REDACTED]@github.com/o/r" and "postgres://[REDACTED]@db/x", since
// many hosts take a token as the user name.
//
// Keys go through the same string rules as values: an attribute's key, a
// group's name (slog.Group, WithGroup, at any depth) and a key of a map passed
// with slog.Any (alone, in a struct, in a slice) that holds a credential — a
// session table keyed by JWT, a cache keyed by API key — has it replaced, as
// a value would: "sk-ant-api03-…" and "eyJ…" become "[REDACTED]", "Bearer …"
// "Bearer [REDACTED]"; "user_id", "sk-8" or "desk-top" stay. Two keys of one
// map that both become "[REDACTED]" are numbered ("[REDACTED]#2", …), so that
// each entry keeps its member; two attributes are written as two members of
// one name, as slog writes any attributes of the same key.
// [Handler.WriteRecord] writes the same: its fast path takes the access
// line's own keys as they are, and leaves a line with any other key that may
// hold a credential to the general path.
//
// Credentials that name themselves by a documented prefix are replaced whole
// wherever they stand in a string, under any key or none (an upstream's
// error message, a query string, a path, a request id): OpenAI keys
// (sk-proj-, sk-svcacct-, sk-admin-, and a bare sk- with 40 or more
// characters after it), Anthropic keys (sk-ant-api03-, sk-ant-admin01-, …),
// GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_), Google API keys
// (AIza), Slack tokens (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-), Stripe secret and
// restricted keys (sk_live_, sk_test_, rk_live_, rk_test_) and AWS access key
// ids (AKIA or ASIA and 16 upper-case letters or digits). The prefix must
// start a word (no letter, digit, '_' or '-' right before it) and be followed
// by at least the documented length of [A-Za-z0-9_-] (20 for most; 30 for
// GitHub's, 35 for Google's), so that "desk-top", "task_live_" or "sk-8"
// stay.
//
// [Redact] applies the same to any string (package tracing uses it on the
// error messages it puts on spans).
// The ids taken from the context are redacted as values are: a request id
// is a client's header.
//
// [FromContext] and [NewContext] carry a request-scoped logger.
package logging
