package routepath

import (
	"path"
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
