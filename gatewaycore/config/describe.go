package config

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"

	"github.com/footingdev/footing/observability/logging"
)

// A Var describes one variable of a Config struct.
type Var struct {
	Name     string
	Default  string
	Required bool
	Secret   bool
	// Value is the field's current value as text; "[redacted]" for a set secret.
	Value string
}

// Redacted stands in for a secret's value.
const Redacted = "[redacted]"

// Describe lists the variables of the struct cfg points to (or is), with their
// current values and secrets redacted, for start-up logs and --help output. The
// password of a URL ("redis://:pw@host", "postgres://user:pw@host/db"), the values
// of a URL's secret query parameters ("postgres://app@db/app?password=pw",
// "?access_token=…"; the keys observability/logging redacts) and the password of a
// libpq keyword/value string ("host=db password=pw") are redacted in every value
// and default, secret-tagged or not.
func Describe(cfg any, opts ...Option) []Var {
	l := &loader{optional: map[string]bool{}}
	for _, opt := range opts {
		opt(l)
	}
	rv := reflect.ValueOf(cfg)
	if rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil
	}
	if !rv.CanAddr() {
		cp := reflect.New(rv.Type()).Elem()
		cp.Set(rv)
		rv = cp
	}
	var out []Var
	for _, f := range fields(rv, l.prefix) {
		v := Var{Name: f.name, Default: f.def, Required: f.required, Secret: f.secret}
		switch {
		case f.secret && !f.value.IsZero():
			v.Value = Redacted
		case f.secret:
			v.Value = ""
		case f.value.Kind() == reflect.String:
			v.Value = redactCredentials(f.value.String())
		case f.value.Kind() == reflect.Slice && f.value.Type().Elem().Kind() == reflect.String:
			items := make([]string, f.value.Len())
			for i := range items {
				items[i] = redactCredentials(f.value.Index(i).String())
			}
			v.Value = fmt.Sprint(items)
		default:
			v.Value = fmt.Sprint(f.value.Interface())
		}
		if f.secret && v.Default != "" {
			v.Default = Redacted
		} else {
			v.Default = redactCredentials(v.Default)
		}
		out = append(out, v)
	}
	return out
}

// redactCredentials returns s with the password of a URL (redactURL), the values of
// its secret query parameters (redactQuery) or the password of a keyword/value
// connection string (redactKeywordPassword) it holds replaced by "xxxxx".
func redactCredentials(s string) string {
	return redactKeywordPassword(redactQuery(redactURL(s)))
}

// redactQuery returns s, when it is a URL with a query, with the values of the
// query's secret parameters ("password=", "sslpassword=", "access_token=",
// "X-Amz-Signature=": the keys observability/logging's redaction knows) replaced
// by "xxxxx": libpq and pgx take any connection parameter, the password included,
// in the query ("postgres://app@db/app?password=pw"), and signed or token URLs
// carry their credential there. Anything else is returned as it is.
func redactQuery(s string) string {
	q := strings.IndexByte(s, '?')
	if q < 0 || !strings.Contains(s[:q], "://") {
		return s
	}
	query := s[q+1:]
	redacted := logging.Redact(query)
	if redacted == query {
		return s
	}
	return s[:q+1] + strings.ReplaceAll(redacted, logging.Redacted, "xxxxx")
}

// redactKeywordPassword returns s with the value of every password keyword of a
// libpq-style keyword/value connection string ("host=db user=app password=s3cret",
// "password = 'a b'", "password='it\'s'") replaced by "xxxxx"; a string without
// one is returned as it is.
func redactKeywordPassword(s string) string {
	const key = "password"
	var b strings.Builder
	rest := s
	for {
		i := strings.Index(rest, key)
		if i < 0 {
			break
		}
		// The keyword must start the string or follow a space, and be followed by
		// optional spaces and '='.
		j := i + len(key)
		for j < len(rest) && rest[j] == ' ' {
			j++
		}
		if (i > 0 && rest[i-1] != ' ' && rest[i-1] != '\t') || j >= len(rest) || rest[j] != '=' {
			b.WriteString(rest[:i+len(key)])
			rest = rest[i+len(key):]
			continue
		}
		j++
		for j < len(rest) && rest[j] == ' ' {
			j++
		}
		b.WriteString(rest[:j])
		b.WriteString("xxxxx")
		rest = rest[j+valueLen(rest[j:]):]
	}
	if b.Len() == 0 {
		return s
	}
	b.WriteString(rest)
	return b.String()
}

// valueLen returns the length of the keyword value at the start of v: a
// single-quoted value with backslash escapes (as libpq reads it), else a run of
// bytes up to a space.
func valueLen(v string) int {
	if !strings.HasPrefix(v, "'") {
		if n := strings.IndexAny(v, " \t"); n >= 0 {
			return n
		}
		return len(v)
	}
	for i := 1; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '\'':
			return i + 1
		}
	}
	return len(v)
}

// redactURL returns s with the password of the URL it holds, if any, replaced by
// "xxxxx" (url.URL.Redacted); anything else is returned as it is. A URL that does
// not parse because its password is not escaped ("postgres://u:p@ss@host/db") has
// everything between the first ':' after "://" and the last '@' redacted.
func redactURL(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		_, rest, ok := strings.Cut(s, "://")
		at := strings.LastIndexByte(rest, '@')
		colon := strings.IndexByte(rest, ':')
		if !ok || at < 0 || colon < 0 || colon > at {
			return s
		}
		head := s[:len(s)-len(rest)]
		return head + rest[:colon+1] + "xxxxx" + rest[at:]
	}
	if _, has := u.User.Password(); !has {
		return s
	}
	return u.Redacted()
}
