package config

import (
	"fmt"
	"reflect"
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
// current values and secrets redacted, for start-up logs and --help output.
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
		default:
			v.Value = fmt.Sprint(f.value.Interface())
		}
		if f.secret && v.Default != "" {
			v.Default = Redacted
		}
		out = append(out, v)
	}
	return out
}
