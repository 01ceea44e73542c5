package instrument

import (
	"net/url"
	"strings"

	"github.com/footingdev/footing/observability/internal/urlquery"
	"github.com/footingdev/footing/observability/internal/userinfo"
	"github.com/footingdev/footing/observability/logging"
)

// The credentials of a URL never reach a span, a metric or an access line.
// The semantic conventions ask for user info replaced by REDACTED:REDACTED
// and for the values of the query parameters AWSAccessKeyId, Signature, sig
// and X-Goog-Signature replaced by REDACTED; footing also replaces, by the
// rules a logging.Handler redacts by:
//   - the value of a query parameter named like a secret: logging's keys
//     (token, access_token, api_key, password, client_secret, …, matched in
//     any case and without separators, and the rules extending them: any name
//     ending in token, signature, secret, …) and AWSAccessKeyId, key, code,
//     auth, jwt, ticket, session, otp, SAMLResponse (urlquery);
//   - a query value, or a bare query parameter, that holds a credential
//     logging.Redact finds (a JWT, a bearer credential, a provider's key,
//     user info, key=value with a secret key), as sent or decoded;
//   - such a credential in a path segment ("/reset/<JWT>", "/keys/sk-proj-…").
//
// A URL with no query pays for the path alone: a byte search per segment,
// and logging.Redact's pre-check (a byte loop) on the segments long enough
// to hold a credential.

// The URL attributes semconv has no constant for.
const (
	attrURLFull  = "url.full"
	attrURLQuery = "url.query"
)

// urlRedacted replaces user info in url.full and url.path, as the semantic
// conventions ask ("https://REDACTED:REDACTED@www.example.com/").
const urlRedacted = "REDACTED:REDACTED"

// redacted replaces a credential in a path or a query value in the URL
// attributes, as the semantic conventions write it for the query.
const redacted = urlquery.Redacted

// redactedUser is the user info url.full shows for a URL that had some.
var redactedUser = url.UserPassword(redacted, redacted)

// redactedURL is u as url.full shows it: without its fragment (which a client
// does not send), its user info replaced whole by [urlRedacted] (a token may
// be the user name alone: "https://ghp_…@github.com"), the path as
// [redactedPath] makes it and the query as [redactedQuery] makes it.
func redactedURL(u *url.URL) string {
	c := *u
	c.RawQuery, c.ForceQuery = "", false
	c.Fragment, c.RawFragment = "", ""
	if c.User != nil {
		c.User = redactedUser
	}
	// The path is judged decoded, as the server reads it: a credential
	// escaped ("Bearer%20…", "access_token%3D…") is found too. When one is
	// replaced, the path is escaped anew from the redacted one.
	if p := redactedPath(c.Path); p != c.Path {
		c.Path, c.RawPath = p, ""
	}
	if c.Opaque != "" {
		c.Opaque = redactedPath(c.Opaque)
	}
	s := c.String()
	if u.RawQuery != "" {
		s += "?" + redactedQuery(u.RawQuery)
	}
	return s
}

// redactedPath is path as url.path and url.full show it: linePath's, with
// [redacted] for logging's marker ("/reset/<JWT>/confirm" is
// "/reset/REDACTED/confirm"; "[REDACTED]" would be escaped in url.full) and
// the user info of any URL in it replaced whole by [urlRedacted]
// ("/mirror/https://REDACTED:REDACTED@github.com/o/r").
func redactedPath(path string) string {
	return spanPath(path, linePath(path))
}

// spanPath is redactedPath(path), given line, linePath(path).
func spanPath(path, line string) string {
	if line == path {
		return path
	}
	p := strings.ReplaceAll(line, logging.Redacted, redacted)
	p, _ = userinfo.Redact(p, urlRedacted)
	return p
}

// minSegmentCredential is the length of the shortest credential
// logging.Redact finds in a path segment without '=' or ':': "Basic " and a
// six-byte token (a JWT has 16 bytes or more, a provider's key 20).
const minSegmentCredential = 12

// routePath is linePath(path) for a request routed to route: a path that is
// its route exactly (a Connect procedure, a literal mux pattern) is the
// service's own text, not the caller's, and is returned as it is.
func routePath(path, route string) string {
	if path == route {
		return path
	}
	return linePath(path)
}

// linePath is path as the access line shows it: each segment with the
// credentials logging.Redact finds in it replaced by logging's marker, and
// the user info of any URL in the path replaced whole by it too
// ("/mirror/https://[REDACTED]@github.com/o/r"), as logging writes it.
//
// Each segment is judged on its own, as a router reads it (path is the
// decoded path, so an escaped credential is judged as sent). Only a segment
// that can hold a credential is looked at: one of minSegmentCredential bytes
// or more, or any when the path has a '=' or a ':'; a path of short segments
// costs a byte search per segment. A path with nothing to replace is
// returned as it is.
func linePath(path string) string {
	all := strings.IndexByte(path, '=') >= 0 || strings.IndexByte(path, ':') >= 0
	var b strings.Builder
	last := 0
	for start := 0; start < len(path); {
		end := len(path)
		if j := strings.IndexByte(path[start:], '/'); j >= 0 {
			end = start + j
		}
		if seg := path[start:end]; all || len(seg) >= minSegmentCredential {
			if r := logging.Redact(seg); r != seg {
				b.WriteString(path[last:start])
				b.WriteString(r)
				last = end
			}
		}
		start = end + 1
	}
	if b.Len() > 0 {
		b.WriteString(path[last:])
		path = b.String()
	}
	path, _ = userinfo.Redact(path, logging.Redacted)
	return path
}

// redactedQuery is the raw query q as url.query and url.full show it: the
// values of the parameters that hold a secret replaced by [redacted], and the
// request message of a Connect GET call (connect=v1&…&message=…) too
// (urlquery.Redact, whose rules span errors share). q is returned as it is,
// without an allocation, when it holds no secret.
func redactedQuery(q string) string {
	return urlquery.Redact(q)
}
