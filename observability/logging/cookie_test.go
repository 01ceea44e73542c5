package logging_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/footingdev/footing/observability/logging"
)

// TestCookiesAreRedactedUnderAnyKey: a cookie is a credential carrier (a session
// id, a CSRF token) whatever the key it is logged under. Under a key that names no
// secret ("jar", "resp"), an http.Cookie came out with its Value and Raw in clear;
// now its value, raw line and unparsed attributes are redacted and the rest (its
// name, path, flags) kept. A struct that merely has Name and Value fields is not a
// cookie and keeps them.
func TestCookiesAreRedactedUnderAnyKey(t *testing.T) {
	t.Parallel()
	const s = "hunter2s3cr3t"
	c := http.Cookie{Name: "session", Value: s, Path: "/app", HttpOnly: true, Raw: "session=" + s + "; Path=/app", Unparsed: []string{"x=" + s}}
	type response struct {
		Status int
		Set    *http.Cookie
	}
	type setting struct{ Name, Value string }
	for _, format := range []logging.Format{logging.JSON, logging.Text} {
		var buf bytes.Buffer
		l := slog.New(logging.NewHandler(&buf, &logging.Options{Format: format}))
		l.Info("m", "jar", []*http.Cookie{&c}, "one", c, "ptr", &c, "resp", response{Status: 200, Set: &c},
			"byname", map[string]http.Cookie{"s": c})
		out := buf.String()
		if strings.Contains(out, s) {
			t.Fatalf("format %d: a cookie's value in output: %s", format, out)
		}
		if strings.Count(out, "session") < 5 || !strings.Contains(out, "/app") {
			t.Fatalf("format %d: the cookies' names or paths are gone: %s", format, out)
		}
		buf.Reset()
		l.Info("m", "setting", setting{Name: "region", Value: "eu-west-1"})
		if out := buf.String(); !strings.Contains(out, "eu-west-1") {
			t.Fatalf("format %d: a Name/Value struct that is no cookie was redacted: %s", format, out)
		}
	}
}
