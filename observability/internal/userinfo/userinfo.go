// Package userinfo finds the user info of URLs written in text
// ("https://TOKEN@github.com/…", "postgres://app:PASSWORD@db/x"), so that
// package logging and package instrument hide it by the same rule: the user
// info is replaced whole, user name included, because many hosts take a token
// as the user name (GitHub's "https://ghp_…@github.com", "x-access-token:…@",
// GitLab's "oauth2:glpat-…@", or a token with a dummy password such as
// "TOKEN:x-oauth-basic@").
package userinfo

import "strings"

// At finds, in the authority that starts at a (just after "://"), the user
// info, and returns where it starts (a) and ends (at its '@'). ok is false
// when the authority has none, or an empty one. As in url.Parse, the user info
// ends at the authority's last '@', so that one with an unescaped '@' in it is
// found whole. The authority ends at '/', '?', '#', a quote, a backslash, a
// space or a control byte.
func At(s string, a int) (start, end int, ok bool) {
	at := -1
	for j := a; j < len(s); j++ {
		c := s[j]
		if c == '/' || c == '?' || c == '#' || c == '"' || c == '\'' || c == '\\' || c <= ' ' || c == 0x7f {
			break
		}
		if c == '@' {
			at = j
		}
	}
	if at <= a {
		return 0, 0, false
	}
	return a, at, true
}

// Redact replaces the user info of every URL in s with marker, and reports
// whether it changed anything; when it did not, it has not allocated. User
// info that already is marker counts as no change.
func Redact(s, marker string) (string, bool) {
	if strings.IndexByte(s, '@') < 0 || !strings.Contains(s, "://") {
		return s, false
	}
	var b strings.Builder
	changed := false
	last := 0
	for i := 0; i+3 <= len(s); {
		j := strings.Index(s[i:], "://")
		if j < 0 {
			break
		}
		a := i + j + 3
		start, end, ok := At(s, a)
		if !ok || s[start:end] == marker {
			i = a
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(marker)
		last, i, changed = end, end, true
	}
	if !changed {
		return s, false
	}
	b.WriteString(s[last:])
	return b.String(), true
}
