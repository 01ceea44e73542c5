package flags

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// flagPattern is what an override's flag key may look like (the table's check).
var flagPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,127}$`)

// EnvName returns the environment variable holding flag's default: FEATURE_ followed
// by the flag in upper case with every character other than A-Z and 0-9 turned into
// an underscore ("new-checkout" -> FEATURE_NEW_CHECKOUT).
func EnvName(flag string) string {
	var b strings.Builder
	b.Grow(len("FEATURE_") + len(flag))
	b.WriteString("FEATURE_")
	for _, r := range strings.ToUpper(flag) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// A kind is the type an evaluation asks for.
type kind int

const (
	kindBool kind = iota
	kindString
	kindInt
	kindFloat
	kindObject
)

func (k kind) String() string {
	return [...]string{"boolean", "string", "integer", "float", "object"}[k]
}

// errTypeMismatch marks a value of the wrong type, as opposed to one that does not parse.
var errTypeMismatch = errors.New("flags: value has the wrong type")

// parseEnv reads an environment value as k: strconv for booleans and numbers, the raw
// text for strings, JSON for objects.
func parseEnv(k kind, s string) (any, error) {
	s2 := strings.TrimSpace(s)
	switch k {
	case kindBool:
		return strconv.ParseBool(s2)
	case kindString:
		return s, nil
	case kindInt:
		return strconv.ParseInt(s2, 10, 64)
	case kindFloat:
		f, err := strconv.ParseFloat(s2, 64)
		if err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return nil, errors.New("flags: not a finite number")
		}
		return f, err
	default:
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, errors.New("flags: not JSON")
		}
		return v, nil
	}
}

// decodeJSON reads an override's stored JSON as k.
func decodeJSON(k kind, raw []byte) (any, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, errors.New("flags: stored value is not JSON")
	}
	switch k {
	case kindBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case kindString:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case kindInt:
		if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
			return int64(f), nil
		}
	case kindFloat:
		if f, ok := v.(float64); ok {
			return f, nil
		}
	default:
		return v, nil
	}
	return nil, fmt.Errorf("%w: want %s", errTypeMismatch, k)
}
