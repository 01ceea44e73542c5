package config

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
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
// password of a URL ("redis://:pw@host", "postgres://user:pw@host/db") is redacted
// in every value and default, secret-tagged or not.
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
			v.Value = redactURL(f.value.String())
		case f.value.Kind() == reflect.Slice && f.value.Type().Elem().Kind() == reflect.String:
			items := make([]string, f.value.Len())
			for i := range items {
				items[i] = redactURL(f.value.Index(i).String())
			}
			v.Value = fmt.Sprint(items)
		default:
			v.Value = fmt.Sprint(f.value.Interface())
		}
		if f.secret && v.Default != "" {
			v.Default = Redacted
		} else {
			v.Default = redactURL(v.Default)
		}
		out = append(out, v)
	}
	return out
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
