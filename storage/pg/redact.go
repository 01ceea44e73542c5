package pg

import "strings"

// redactLiterals replaces every single-quoted string literal in sql with '?', so that
// values written into SQL text (the tenant and user of rls's one-round-trip BEGIN, or a
// literal an application inlines) do not reach span attributes. E'…' literals honour
// backslash escapes; dollar-quoted strings are left alone (they hold function bodies).
func redactLiterals(sql string) string {
	if !strings.Contains(sql, "'") {
		return sql
	}
	var b strings.Builder
	b.Grow(len(sql))
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		if c != '\'' {
			b.WriteByte(c)
			continue
		}
		escapes := i > 0 && (sql[i-1] == 'E' || sql[i-1] == 'e')
		j := i + 1
		for ; j < len(sql); j++ {
			if escapes && sql[j] == '\\' {
				j++
				continue
			}
			if sql[j] == '\'' {
				if j+1 < len(sql) && sql[j+1] == '\'' {
					j++
					continue
				}
				break
			}
		}
		b.WriteString("'?'")
		i = j
	}
	return b.String()
}
