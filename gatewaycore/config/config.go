package config

import (
	"encoding"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// An Option configures [Load].
type Option func(*loader)

type loader struct {
	prefix   string
	lookup   func(string) (string, bool)
	files    []string
	optional map[string]bool
}

// WithPrefix prepends prefix to every variable name, for example "ADRS_".
func WithPrefix(prefix string) Option { return func(l *loader) { l.prefix = prefix } }

// WithLookup replaces os.LookupEnv as the source of variables (tests use it). Nil is ignored.
func WithLookup(lookup func(string) (string, bool)) Option {
	return func(l *loader) {
		if lookup != nil {
			l.lookup = lookup
		}
	}
}

// WithFile reads variables from an env file (see [ParseFile]) under the
// environment: a variable set in both comes from the environment. The file must exist.
func WithFile(path string) Option { return func(l *loader) { l.files = append(l.files, path) } }

// WithOptionalFile is [WithFile] for a file that may be absent.
func WithOptionalFile(path string) Option {
	return func(l *loader) {
		l.files = append(l.files, path)
		l.optional[path] = true
	}
}

// A Problem is one variable that could not be loaded.
type Problem struct {
	// Var is the variable's full name ("" for a problem reported by Validate).
	Var string
	// Msg says what is wrong. It never holds a secret's value.
	Msg string
}

// Error reports every [Problem] found by [Load].
type Error struct {
	Problems []Problem
}

// Error lists the problems, one per line after a summary.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "config: %d problem(s)", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		if p.Var != "" {
			b.WriteString(p.Var + ": ")
		}
		b.WriteString(p.Msg)
	}
	return b.String()
}

// Load fills dst, a pointer to a struct, from the environment, the files given with
// [WithFile], and the default tags, then calls dst's Validate method, if any, also
// when some variables could not be read (leaving out what it says of those). It
// returns an [*Error] listing every problem at once. A variable set to the empty
// string counts as not set: the file's value, else the default, applies.
func Load(dst any, opts ...Option) error {
	l := &loader{lookup: os.LookupEnv, optional: map[string]bool{}}
	for _, opt := range opts {
		opt(l)
	}
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("config: Load needs a non-nil pointer to a struct, got %T", dst)
	}
	var problems []Problem
	fileVars := map[string]string{}
	for _, path := range l.files {
		f, err := os.Open(path) //nolint:gosec // the path is the operator's choice.
		if err != nil {
			if l.optional[path] && errors.Is(err, os.ErrNotExist) {
				continue
			}
			problems = append(problems, Problem{Msg: fmt.Sprintf("env file: %v", err)})
			continue
		}
		vars, err := ParseFile(f)
		_ = f.Close()
		if err != nil {
			problems = append(problems, Problem{Msg: fmt.Sprintf("env file %s: %v", path, err)})
		}
		for k, v := range vars {
			fileVars[k] = v
		}
	}
	// An empty variable counts as not set, here as for the default: it does not
	// hide the file's value.
	lookup := func(name string) (string, bool) {
		if v, ok := l.lookup(name); ok && v != "" {
			return v, true
		}
		v, ok := fileVars[name]
		return v, ok
	}
	problems = append(problems, unloadable(rv.Elem().Type(), l.prefix, "")...)
	for _, f := range fields(rv.Elem(), l.prefix) {
		if !supported(f.value.Type()) {
			continue // reported by unloadable, set or not
		}
		raw, ok := lookup(f.name)
		if !ok || raw == "" {
			if f.required {
				problems = append(problems, Problem{Var: f.name, Msg: "required but not set"})
				continue
			}
			if f.def == "" {
				continue
			}
			raw = f.def
		}
		if err := set(f.value, raw); err != nil {
			msg := fmt.Sprintf("invalid %s: %v", typeName(f.value.Type()), err)
			if f.secret {
				msg = fmt.Sprintf("invalid %s (secret value not shown)", typeName(f.value.Type()))
			}
			problems = append(problems, Problem{Var: f.name, Msg: msg})
		}
	}
	// The service's own checks run beside the variables' problems, so that all are
	// reported at once; what they say of a variable that already has a problem (its
	// value is not the one given) is left out. Not after a file could not be read:
	// every variable it held is missing.
	if v, ok := dst.(interface{ Validate() error }); ok && !hasFileProblem(problems) {
		if err := v.Validate(); err != nil {
			for _, e := range unjoin(err) {
				if msg := e.Error(); !namesAny(msg, problems, l.prefix) {
					problems = append(problems, Problem{Msg: msg})
				}
			}
		}
	}
	if len(problems) > 0 {
		return &Error{Problems: problems}
	}
	return nil
}

// hasFileProblem reports whether problems hold one that is not a variable's (an env
// file that could not be read or parsed).
func hasFileProblem(problems []Problem) bool {
	for _, p := range problems {
		if p.Var == "" {
			return true
		}
	}
	return false
}

// namesAny reports whether msg names, as a whole word, a variable that has one of
// problems: by its full name or, under prefix, by the name without it (a Validate of a
// config loaded with WithPrefix names its own variables).
func namesAny(msg string, problems []Problem, prefix string) bool {
	for _, p := range problems {
		if p.Var == "" {
			continue
		}
		if namesWord(msg, p.Var) {
			return true
		}
		if bare, ok := strings.CutPrefix(p.Var, prefix); ok && prefix != "" && bare != "" && namesWord(msg, bare) {
			return true
		}
	}
	return false
}

// namesWord reports whether word occurs in msg with no letter, digit or '_' on
// either side.
func namesWord(msg, word string) bool {
	for i := 0; ; {
		j := strings.Index(msg[i:], word)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(word)
		if (start == 0 || !wordByte(msg[start-1])) && (end == len(msg) || !wordByte(msg[end])) {
			return true
		}
		i = start + 1
	}
}

func wordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z'
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

type field struct {
	name, def        string
	required, secret bool
	value            reflect.Value
}

// fields lists the tagged fields of struct value v, recursing into nested structs.
func fields(v reflect.Value, prefix string) []field {
	var out []field
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		fv := v.Field(i)
		name, hasEnv := sf.Tag.Lookup("env")
		if !hasEnv {
			if sf.Type.Kind() == reflect.Struct && !implementsText(fv) {
				out = append(out, fields(fv, prefix+sf.Tag.Get("prefix"))...)
			}
			continue
		}
		if name == "-" {
			continue
		}
		out = append(out, field{
			name:     prefix + name,
			def:      sf.Tag.Get("default"),
			required: sf.Tag.Get("required") == "true",
			secret:   sf.Tag.Get("secret") == "true",
			value:    fv,
		})
	}
	return out
}

// unloadable reports what of struct type t (its variables named under prefix, its
// fields under path) Load cannot fill, so that it is found on every Load rather
// than never or on the day a variable is set: a field tagged env of a type [set]
// cannot parse, and a pointer to a struct with env tags, which fields does not
// enter (a nil pointer has nothing to fill). A pointer to a struct without env
// tags (a logger, a client) is not configuration and is left alone.
func unloadable(t reflect.Type, prefix, path string) []Problem {
	var out []Problem
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, hasEnv := sf.Tag.Lookup("env")
		switch {
		case hasEnv && name == "-":
		case hasEnv:
			if !supported(sf.Type) {
				out = append(out, Problem{Var: prefix + name, Msg: fmt.Sprintf(
					"unsupported type %s: want a string, bool, number, time.Duration, []string or encoding.TextUnmarshaler", sf.Type)})
			}
		case sf.Type.Kind() == reflect.Struct && !textType(sf.Type):
			out = append(out, unloadable(sf.Type, prefix+sf.Tag.Get("prefix"), path+sf.Name+".")...)
		case sf.Type.Kind() == reflect.Pointer && sf.Type.Elem().Kind() == reflect.Struct &&
			!textType(sf.Type.Elem()) && hasEnvFields(sf.Type.Elem()):
			out = append(out, Problem{Msg: fmt.Sprintf(
				"field %s%s: a pointer to a struct is not loaded; make it a %s value", path, sf.Name, sf.Type.Elem())})
		}
	}
	return out
}

// hasEnvFields reports whether struct type t, or a struct it holds by value, has a
// field tagged env.
func hasEnvFields(t reflect.Type) bool {
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		if name, ok := sf.Tag.Lookup("env"); ok {
			if name != "-" {
				return true
			}
			continue
		}
		if sf.Type.Kind() == reflect.Struct && !textType(sf.Type) && hasEnvFields(sf.Type) {
			return true
		}
	}
	return false
}

// supported reports whether [set] can parse a value into a field of type t.
func supported(t reflect.Type) bool {
	if textType(t) || t == durationType {
		return true
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	case reflect.Slice:
		return t.Elem().Kind() == reflect.String
	}
	return false
}

// textType reports whether a field of type t is filled by its UnmarshalText, as
// [implementsText] says of an addressable value of it.
func textType(t reflect.Type) bool {
	return reflect.PointerTo(t).Implements(textUnmarshaler)
}

var (
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	durationType    = reflect.TypeFor[time.Duration]()
)

func implementsText(v reflect.Value) bool {
	return v.CanAddr() && v.Addr().Type().Implements(textUnmarshaler)
}

func typeName(t reflect.Type) string {
	switch {
	case t == durationType:
		return "duration"
	case t.Kind() == reflect.Slice:
		return "list"
	case t.Kind() == reflect.Struct, t.Kind() == reflect.Pointer:
		return "value"
	default:
		return t.Kind().String()
	}
}

// set parses raw into v.
func set(v reflect.Value, raw string) error {
	if implementsText(v) {
		return v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(raw))
	}
	if v.Type() == durationType {
		d, err := time.ParseDuration(strings.TrimSpace(raw))
		if err != nil {
			return errors.New(`want a duration such as "250ms" or "1m30s"`)
		}
		v.SetInt(int64(d))
		return nil
	}
	if v.Kind() == reflect.String {
		v.SetString(raw) // Kept as given: quoted values in files may mean their spaces.
		return nil
	}
	raw = strings.TrimSpace(raw)
	switch v.Kind() {
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return errors.New("want true or false")
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(raw, 10, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("want a whole number that fits %d bits", v.Type().Bits())
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(raw, 10, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("want a non-negative whole number that fits %d bits", v.Type().Bits())
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(raw, v.Type().Bits())
		if err != nil {
			return errors.New("want a number")
		}
		v.SetFloat(f)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("unsupported list type %s", v.Type())
		}
		var items []string
		for part := range strings.SplitSeq(raw, ",") {
			if part = strings.TrimSpace(part); part != "" {
				items = append(items, part)
			}
		}
		v.Set(reflect.ValueOf(items).Convert(v.Type()))
	default:
		return fmt.Errorf("unsupported type %s", v.Type())
	}
	return nil
}
