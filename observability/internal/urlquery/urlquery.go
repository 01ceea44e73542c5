// Package urlquery redacts the secrets of a URL's query as the URL
// attributes of spans show it: package instrument applies it to url.full,
// url.query and a failed request's error, and package spanerr to the error
// text every span records (tracing.RecordError), which may name a URL whole
// — a client's error, a Connect GET call's with its request message in the
// query. One set of rules, so that a trace shows a URL's query the same way
// wherever it appears.
package urlquery

import (
	"net/url"
	"strings"

	"github.com/footingdev/footing/observability/internal/secretkey"
	"github.com/footingdev/footing/observability/logging"
)

// Redacted replaces a secret query value, as the semantic conventions write
// it for url.query and url.full.
const Redacted = "REDACTED"

// secretKeys are the query parameters whose values are secrets in a URL,
// beyond logging's keys (which take Signature, sig, X-Goog-Signature,
// X-Amz-Signature and X-Amz-Security-Token already): the conventions'
// AWSAccessKeyId; Google's and others' API key (?key=); OAuth's
// authorization code (?code=); and the names single sign-on and magic links
// give their one-time credentials.
var secretKeys = []string{"AWSAccessKeyId", "key", "code", "auth", "jwt", "ticket", "session", "otp", "SAMLResponse"}

// secretKey reports whether a query parameter's values are secrets, by
// logging's rules with secretKeys added.
var secretKey = secretkey.New(secretKeys)

// Redact is the raw query q with the value of every parameter that holds a
// secret replaced by [Redacted] — the whole value, however it goes on — and a
// bare parameter (no '=') that is a credential replaced whole; the names, the
// order and every other parameter are kept as sent. A parameter holds a
// secret when its name is one of logging's secret keys or their rules, or
// AWSAccessKeyId, key, code, auth, jwt, ticket, session, otp, SAMLResponse
// (in any case, escaped, or the last part of a bracketed name such as
// auth[token]), or when its value holds, as sent or decoded, a credential
// logging.Redact finds. The request message of a Connect GET call
// (message=, with connect=v1) is replaced too: it is a body. q is returned
// as it is, without an allocation, when it holds no secret.
func Redact(q string) string {
	return redact(q, false)
}

// redact is Redact; inText, it also leaves alone a value that is logging's
// marker ([REDACTED]): RedactText runs on text logging.Redact has been over.
func redact(q string, inText bool) string {
	// A Connect GET request carries its request message in the query
	// (connect=v1&…&message=…): a body, which spans never show.
	connectGET := strings.Contains(q, "connect=v1")
	var b strings.Builder
	last := 0
	for i := 0; ; {
		end := len(q)
		if j := strings.IndexByte(q[i:], '&'); j >= 0 {
			end = i + j
		}
		from := -1 // where the part of the parameter to replace starts
		if k, v, ok := strings.Cut(q[i:end], "="); ok {
			if v != "" && v != Redacted && (!inText || v != logging.Redacted) && (connectGET && k == "message" || secretName(k) || holdsCredential(v)) {
				from = i + len(k) + 1
			}
		} else if end > i && q[i:end] != Redacted && (!inText || q[i:end] != logging.Redacted) && holdsCredential(q[i:end]) {
			from = i
		}
		if from >= 0 {
			b.Grow(len(q))
			b.WriteString(q[last:from])
			b.WriteString(Redacted)
			last = end
		}
		if end == len(q) {
			break
		}
		i = end + 1
	}
	if b.Len() == 0 {
		return q
	}
	b.WriteString(q[last:])
	return b.String()
}

// secretName reports whether the values of query parameter k are secrets
// (secretKey), k judged decoded ("access%5Ftoken"), and a name in brackets
// also by its last part ("auth[token]", as PHP and Rails nest parameters).
func secretName(k string) bool {
	if strings.IndexByte(k, '%') >= 0 || strings.IndexByte(k, '+') >= 0 {
		if d, err := url.QueryUnescape(k); err == nil {
			k = d
		}
	}
	if secretKey(k) {
		return true
	}
	if n := len(k); n > 0 && k[n-1] == ']' {
		if i := strings.LastIndexByte(k, '['); i >= 0 {
			return secretKey(k[i+1 : n-1])
		}
	}
	return false
}

// holdsCredential reports whether the query value v holds a credential
// logging.Redact finds, as sent or decoded ("Bearer%20…",
// "https%3A%2F%2Fuser%3Apw%40host").
func holdsCredential(v string) bool {
	if logging.Redact(v) != v {
		return true
	}
	if strings.IndexByte(v, '%') >= 0 || strings.IndexByte(v, '+') >= 0 {
		if d, err := url.QueryUnescape(v); err == nil && logging.Redact(d) != d {
			return true
		}
	}
	return false
}

// RedactText returns s, free text such as an error's, with every query and
// fragment of the URLs it names redacted by [Redact] (a value that is
// logging's marker, [REDACTED], left as it is: s may have been through
// logging.Redact, which should come first): the text after a '?'
// or a '#' up to white space, a quote, '<', '>' or the next '#', and without
// the punctuation that ends a sentence or an error's prefix (':', ',', ';',
// '.', ')' before white space or the end: `Get "…?code=…": EOF`,
// "at …?message=…: refused"). A fragment is redacted as a query, as OAuth's
// implicit flow puts its token there (#access_token=…&state=…). Only a part
// holding a '=' is looked at; s is returned as it is, without an
// allocation, when no part holds a secret.
func RedactText(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		j := strings.IndexAny(s[i:], "?#")
		if j < 0 {
			break
		}
		start := i + j + 1
		end := start
		for end < len(s) && !partEnd(s[end]) {
			end++
		}
		i = end
		for end > start && strings.IndexByte(":,;.)", s[end-1]) >= 0 {
			end--
		}
		part := s[start:end]
		if strings.IndexByte(part, '=') < 0 {
			continue
		}
		if r := redact(part, true); r != part {
			b.Grow(len(s))
			b.WriteString(s[last:start])
			b.WriteString(r)
			last = end
		}
	}
	if b.Len() == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// partEnd reports whether c ends a query or a fragment in free text.
func partEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '"', '\'', '`', '<', '>', '#':
		return true
	}
	return c < 0x20 || c == 0x7f
}
