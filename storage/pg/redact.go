package pg

import "strings"

// redactLiterals replaces every string literal in sql with '?', so that values written
// into SQL text (the tenant and user of rls's one-round-trip BEGIN, or a literal an
// application inlines) do not reach span attributes. It reads the text the way Postgres's
// lexer does (standard_conforming_strings on, which pgx requires): '…' with doubled
// quotes, E'…' with backslash escapes, and dollar-quoted $tag$…$tag$ strings (function
// bodies too) are literals; a quote inside a -- or /* */ comment or a "quoted
// identifier" starts none, so it cannot shift which text is taken for a literal.
// Comments and identifiers are kept as written. An unterminated literal or comment runs
// to the end of the text.
func redactLiterals(sql string) string {
	if !strings.ContainsAny(sql, "'$") {
		return sql
	}
	var b strings.Builder
	b.Grow(len(sql))
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				j = len(sql) - i
			}
			b.WriteString(sql[i : i+j])
			i += j
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			j := blockCommentEnd(sql, i)
			b.WriteString(sql[i:j])
			i = j
		case c == '"':
			j := quotedEnd(sql, i, '"', false)
			b.WriteString(sql[i:j])
			i = j
		case c == '\'':
			b.WriteString("'?'")
			i = quotedEnd(sql, i, '\'', escapePrefixed(sql, i))
		case c == '$' && (i == 0 || !identChar(sql[i-1])):
			if tag, ok := dollarTag(sql, i); ok {
				b.WriteString("'?'")
				if k := strings.Index(sql[i+len(tag):], tag); k >= 0 {
					i += len(tag) + k + len(tag)
				} else {
					i = len(sql)
				}
				continue
			}
			b.WriteByte(c)
			i++
		case identChar(c):
			// An identifier or keyword is copied whole, so a '$' inside it (a$b$c)
			// is not taken for a dollar quote.
			j := i + 1
			for j < len(sql) && identChar(sql[j]) {
				j++
			}
			b.WriteString(sql[i:j])
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// identChar reports whether c can continue an identifier (letters, digits, _, $ and any
// byte of a non-ASCII character).
func identChar(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// escapePrefixed reports whether the quote at i opens an E'…' literal: E or e stands alone
// right before it.
func escapePrefixed(sql string, i int) bool {
	return i > 0 && (sql[i-1] == 'E' || sql[i-1] == 'e') && (i == 1 || !identChar(sql[i-2]))
}

// quotedEnd returns the index just past the closing quote q of the quoted text opening at
// i (a doubled quote stays inside; with escapes, a backslash escapes the next byte), or
// len(sql) when it is unterminated.
func quotedEnd(sql string, i int, q byte, escapes bool) int {
	for j := i + 1; j < len(sql); j++ {
		switch {
		case escapes && sql[j] == '\\':
			j++
		case sql[j] == q:
			if j+1 < len(sql) && sql[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(sql)
}

// blockCommentEnd returns the index just past the /* */ comment opening at i; Postgres's
// block comments nest.
func blockCommentEnd(sql string, i int) int {
	depth := 0
	for j := i; j+1 < len(sql); j++ {
		switch {
		case sql[j] == '/' && sql[j+1] == '*':
			depth++
			j++
		case sql[j] == '*' && sql[j+1] == '/':
			depth--
			j++
			if depth == 0 {
				return j + 1
			}
		}
	}
	return len(sql)
}

// dollarTag returns the $tag$ (tag empty or an identifier not starting with a digit) that
// opens a dollar-quoted string at i; $1 and a lone $ are not one.
func dollarTag(sql string, i int) (string, bool) {
	j := i + 1
	if j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
		return "", false
	}
	for j < len(sql) && sql[j] != '$' {
		if !identChar(sql[j]) {
			return "", false
		}
		j++
	}
	if j >= len(sql) {
		return "", false
	}
	return sql[i : j+1], true
}
