package routepath

import (
	"net/url"
	"path"
	"slices"
	"strings"
)

// Clean returns p rooted, with "." and ".." resolved and repeated slashes merged,
// as http.ServeMux cleans it, so that "/public/../admin" is judged as "/admin" and
// "admin" as "/admin". It keeps a trailing slash ("/api/" stays a subtree, as
// ServeMux routes it), and the empty path is "/".
func Clean(p string) string {
	if p == "" {
		return "/"
	}
	// A rooted path without "//" or a "." or ".." element is already clean
	// (path.Clean would only drop a trailing slash, which is kept anyway).
	if p[0] == '/' && !strings.Contains(p, "//") && !strings.Contains(p, "/.") {
		return p
	}
	c := p
	if c[0] != '/' {
		c = "/" + c
	}
	c = path.Clean(c)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// Forms returns, each once, the forms of u's path a router may route by: cleaned
// (first), decoded as sent, and as sent before decoding when that escapes a "/" or a
// "." (no other escape moves a segment boundary or makes a dot segment, so
// "/v1/items%3AbatchGet" has the form "/v1/items:batchGet" alone, as ServeMux routes
// it). A clean path sent without such escapes has only the first.
//
// http.ServeMux routes "/admin/%2e%2e/healthz" to the "/admin/" handler, and routers
// that do not clean paths route "/admin/../healthz" there, while the cleaned form is
// "/healthz": whatever judges a request by its path (auth's policy, rate-limit rules,
// route timeouts) must judge it under every form, or a caller picks the form that is
// judged while the router serves another.
func Forms(u *url.URL, buf *[3]string) []string {
	forms := append(buf[:0], Clean(u.Path))
	if u.Path != "" && u.Path != forms[0] {
		forms = append(forms, u.Path)
	}
	if escapesStructure(u.RawPath) && !slices.Contains(forms, u.RawPath) {
		forms = append(forms, u.RawPath)
	}
	return forms
}

// escapesStructure reports whether raw, a path as sent, escapes a "/" or a ".".
func escapesStructure(raw string) bool {
	for i := strings.Index(raw, "%2"); i >= 0 && i+2 < len(raw); {
		switch raw[i+2] {
		case 'F', 'f', 'E', 'e':
			return true
		}
		next := strings.Index(raw[i+2:], "%2")
		if next < 0 {
			return false
		}
		i += 2 + next
	}
	return false
}
