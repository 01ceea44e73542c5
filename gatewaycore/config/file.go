package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxFileSize bounds what [ParseFile] reads.
const MaxFileSize = 1 << 20

// ParseFile reads an env file (a leading UTF-8 byte order mark is skipped): one
// KEY=VALUE per line; blank lines and lines
// starting with # are skipped; an optional "export " prefix is allowed; values may
// be bare (trimmed, a " #" starts a comment), 'single-quoted' (literal) or
// "double-quoted" (with \n, \t, \", \\ escapes). Keys are letters, digits and _,
// not starting with a digit. It reports every bad line at once, by line number,
// never echoing values (they may be secrets).
func ParseFile(r io.Reader) (map[string]string, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("file larger than %d bytes", MaxFileSize)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // a UTF-8 byte order mark, as some editors write
	out := map[string]string{}
	var problems []error
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), MaxFileSize+1)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		key, val, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !ok {
			problems = append(problems, fmt.Errorf("line %d: want KEY=VALUE", n))
			continue
		}
		if !validKey(key) {
			problems = append(problems, fmt.Errorf("line %d: invalid variable name", n))
			continue
		}
		v, err := parseValue(strings.TrimSpace(val))
		if err != nil {
			problems = append(problems, fmt.Errorf("line %d (%s): %w", n, key, err))
			continue
		}
		out[key] = v
	}
	if err := sc.Err(); err != nil {
		problems = append(problems, err)
	}
	return out, errors.Join(problems...)
}

func validKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c != '_' && (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func parseValue(v string) (string, error) {
	switch {
	case strings.HasPrefix(v, "'"):
		end := strings.IndexByte(v[1:], '\'')
		if end < 0 {
			return "", errors.New("unterminated single quote")
		}
		if rest := strings.TrimSpace(v[end+2:]); rest != "" && !strings.HasPrefix(rest, "#") {
			return "", errors.New("text after the closing quote")
		}
		return v[1 : end+1], nil
	case strings.HasPrefix(v, `"`):
		var b strings.Builder
		for i := 1; i < len(v); i++ {
			c := v[i]
			switch c {
			case '\\':
				if i+1 >= len(v) {
					return "", errors.New("unterminated double quote")
				}
				i++
				switch v[i] {
				case 'n':
					b.WriteByte('\n')
				case 't':
					b.WriteByte('\t')
				case 'r':
					b.WriteByte('\r')
				case '"', '\\', '$':
					b.WriteByte(v[i])
				default:
					return "", errors.New("unknown escape sequence")
				}
			case '"':
				if rest := strings.TrimSpace(v[i+1:]); rest != "" && !strings.HasPrefix(rest, "#") {
					return "", errors.New("text after the closing quote")
				}
				return b.String(), nil
			default:
				b.WriteByte(c)
			}
		}
		return "", errors.New("unterminated double quote")
	default:
		if i := strings.Index(v, " #"); i >= 0 {
			v = v[:i]
		}
		return strings.TrimSpace(v), nil
	}
}
