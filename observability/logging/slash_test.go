package logging_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/footingdev/footing/observability/logging"
)

// TestCredentialsAroundSlashes: free text holds URLs and paths (a request
// line, a client's error naming the URL it called), so a credential may sit
// right after a '/' or be followed by one. A "Bearer …" after a '/' (or
// after '=') is a credential as it is after a space; a key=value inside a
// path segment ends at the next '/' (or the query's '?'), as a router reads
// it, while in a query, a fragment or plain text it runs on past a '/' (a
// base64 secret holds '/'); and a value never swallows the scheme of a
// bearer credential after it, whose token would then be kept.
func TestCredentialsAroundSlashes(t *testing.T) {
	t.Parallel()
	const s = "s3cr3tT0ken"
	tests := []struct{ name, text, want string }{
		{"bearer after a slash", "GET /t/Bearer " + s + " HTTP/1.1", "GET /t/Bearer [REDACTED] HTTP/1.1"},
		{"bearer in a quoted URL", `Get "https://api.example/x/bearer ` + s + `": EOF`, `Get "https://api.example/x/bearer [REDACTED]": EOF`},
		{"basic after a slash", "/auth/Basic " + s, "/auth/Basic [REDACTED]"},
		{"bearer after =", "hdr=Bearer " + s, "hdr=Bearer [REDACTED]"},
		{"secret key's value is a bearer credential", "password=Bearer " + s + " host=db", "password=Bearer [REDACTED] host=db"},
		{"value does not swallow a later scheme", "access_token=abc/Bearer " + s, "access_token=[REDACTED]/Bearer [REDACTED]"},
		{"value in a path segment ends at '/'", "GET /cb/access_token=" + s + "/done failed", "GET /cb/access_token=[REDACTED]/done failed"},
		{"value in a path segment ends at '?'", "/app/cart;jsessionid=" + s + "?x=1", "/app/cart;jsessionid=[REDACTED]?x=1"},
		{"value in a URL's path", `Get "https://h.example/v1/token=` + s + `/x?y=1": EOF`, `Get "https://h.example/v1/token=[REDACTED]/x?y=1": EOF`},
		{"query value runs past '/'", "https://h.example/cb?access_token=" + s + "/+ab==&x=1", "https://h.example/cb?access_token=[REDACTED]&x=1"},
		{"fragment value runs past '/'", "https://h.example/cb#access_token=" + s + "/ab&state=1", "https://h.example/cb#access_token=[REDACTED]&state=1"},
		{"plain text value runs past '/'", "password=" + s + "/ab host=db", "password=[REDACTED] host=db"},
		{"words after a slash stay", "see /docs/bearer of news and a/basic plan", "see /docs/bearer of news and a/basic plan"},
		{"scheme inside a word stays", "/t/xBearer " + s, "/t/xBearer " + s},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := logging.Redact(tc.text); got != tc.want {
				t.Fatalf("Redact(%q)\n got  %q\n want %q", tc.text, got, tc.want)
			}
			if !strings.Contains(tc.want, s) {
				var buf bytes.Buffer
				l := slog.New(logging.NewHandler(&buf, &logging.Options{ReplaceAttr: dropTime}))
				l.Info(tc.text, "text", tc.text, "err", errors.New(tc.text))
				if strings.Contains(buf.String(), s) {
					t.Fatalf("secret in the handler's output: %s", buf.String())
				}
			}
		})
	}
}

// TestBearerTokenDoesNotSwallowAScheme: a bearer token runs over '/' (token68
// holds it), but not over the scheme of a credential right after it.
func TestBearerTokenDoesNotSwallowAScheme(t *testing.T) {
	t.Parallel()
	const s = "s3cr3tT0ken"
	for text, want := range map[string]string{
		"Bearer abcdefg/Bearer " + s:    "Bearer [REDACTED]/Bearer [REDACTED]",
		"Bearer abc/Basic " + s + " x":  "Bearer [REDACTED]/Basic [REDACTED] x",
		"Bearer /Bearer " + s:           "Bearer /Bearer [REDACTED]",
		"Bearer ab/cd+ef== then":        "Bearer [REDACTED] then",
		"Bearer a/Bearer b/Bearer " + s: "Bearer [REDACTED]/Bearer [REDACTED]/Bearer [REDACTED]",
	} {
		if got := logging.Redact(text); got != want {
			t.Errorf("Redact(%q)\n got  %q\n want %q", text, got, want)
		}
	}
}
