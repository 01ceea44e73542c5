package logging_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/footingdev/footing/observability/logging"
)

// pointerError is an error whose Error method reads its receiver: a nil
// *pointerError returned as an error panics when its text is asked for.
type pointerError struct{ msg string }

func (e *pointerError) Error() string { return e.msg }

// panickyJSON panics when marshalled, with a message that holds a credential.
type panickyJSON struct{ A int }

func (panickyJSON) MarshalJSON() ([]byte, error) {
	panic("marshal failed for postgres://app:hunter2s3cr3t@db/x")
}

// TestPanickingValuesDoNotCrashTheCaller: slog's own handlers write a value
// whose Error or MarshalJSON panics as "<nil>" (a nil pointer) or "!PANIC: …"
// and carry on; the handler must not turn a log call into a crash, nor let the
// panic's message carry a secret out.
func TestPanickingValuesDoNotCrashTheCaller(t *testing.T) {
	t.Parallel()
	var nilErr *pointerError
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"nil pointer error", error(nilErr), "<nil>"},
		{"panicking MarshalJSON", panickyJSON{}, "!PANIC: marshal failed for postgres://[REDACTED]@db/x"},
		{"panicking MarshalJSON in a slice", []any{panickyJSON{}}, "!PANIC: marshal failed for postgres://[REDACTED]@db/x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, format := range []logging.Format{logging.JSON, logging.Text} {
				var buf bytes.Buffer
				l := slog.New(logging.NewHandler(&buf, &logging.Options{Format: format}))
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Fatalf("format %d: the log call panicked: %v", format, p)
						}
					}()
					l.Info("m", "v", tc.v, "after", "kept")
				}()
				out := buf.String()
				if strings.Contains(out, "hunter2s3cr3t") {
					t.Fatalf("format %d: secret in output: %s", format, out)
				}
				if !strings.Contains(out, "kept") || !strings.Contains(out, tc.want) {
					t.Fatalf("format %d: want the line with %q and the other attributes, got %s", format, tc.want, out)
				}
				if format == logging.JSON && !json.Valid(buf.Bytes()) {
					t.Fatalf("invalid JSON: %s", out)
				}
			}
		})
	}
}

// Secret types that hide their value themselves, as a value type's author
// writes them: each prints "***" through one of the methods slog's handlers
// honour.
type (
	stringMasked string
	textMasked   string
	jsonMasked   string
)

func (stringMasked) String() string             { return "***" }
func (textMasked) MarshalText() ([]byte, error) { return []byte("***"), nil }
func (jsonMasked) MarshalJSON() ([]byte, error) { return []byte(`"***"`), nil }
func (s textMasked) reveal() string             { return string(s) }
func (s jsonMasked) reveal() string             { return string(s) }
func (s stringMasked) reveal() string           { return string(s) }

// TestSelfMaskingTypesStayMasked: a string type whose String, MarshalText or
// MarshalJSON hides its value was logged as the raw string, in both formats,
// where slog's handlers call the method.
func TestSelfMaskingTypesStayMasked(t *testing.T) {
	t.Parallel()
	const s = "sk-live-0123456789abcdef"
	for _, v := range []interface{ reveal() string }{stringMasked(s), textMasked(s), jsonMasked(s)} {
		if v.reveal() != s {
			t.Fatal("test type broken")
		}
		for _, format := range []logging.Format{logging.JSON, logging.Text} {
			var buf bytes.Buffer
			l := slog.New(logging.NewHandler(&buf, &logging.Options{Format: format}))
			l.Info("m", "key", v)
			if _, ok := v.(stringMasked); !ok {
				// Inside a list, struct or map, values print as encoding/json
				// prints them: MarshalJSON and MarshalText count, String does not.
				l.Info("m", "list", []any{v})
			}
			out := buf.String()
			if strings.Contains(out, s) || !strings.Contains(out, "***") {
				t.Errorf("%T, format %d: want the value masked by its own method, got %s", v, format, out)
			}
		}
	}
}

// TestJSONMembersInTextInEveryLayout: the value of a secret JSON member inside
// a string is redacted however the JSON is laid out: a space before the colon
// (encoders that indent, hand-written bodies) and JSON quoted into a string
// (%q of a body, a JSON document inside another's string) slipped through.
func TestJSONMembersInTextInEveryLayout(t *testing.T) {
	t.Parallel()
	const s = "hunter2s3cr3t"
	tests := []struct{ name, text, want string }{
		{"space before the colon", `{"password" : "` + s + `"}`, `{"password" : "[REDACTED]"}`},
		{"spaces and a tab", `{"client_secret"	:  "` + s + `", "n": 1}`, `{"client_secret"	:  "[REDACTED]", "n": 1}`},
		{"quoted JSON", `upstream said "{\"access_token\":\"` + s + `\",\"expires_in\":3600}"`,
			`upstream said "{\"access_token\":\"[REDACTED]\",\"expires_in\":3600}"`},
		{"quoted JSON with an escaped quote in the value", `{\"password\": \"a\\\"` + s + `\"}`, `{\"password\": \"[REDACTED]\"}`},
		{"other members stay", `{\"user\":\"ann\",\"token_count\":\"7\"}`, `{\"user\":\"ann\",\"token_count\":\"7\"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, format := range []logging.Format{logging.JSON, logging.Text} {
				var buf bytes.Buffer
				l := slog.New(logging.NewHandler(&buf, &logging.Options{Format: format, ReplaceAttr: dropTime}))
				l.Info("m", "body", tc.text)
				l.Info("m", "err", errors.New(tc.text), "raw", []byte(tc.text))
				out := buf.String()
				if strings.Contains(out, s) {
					t.Fatalf("format %d: secret in output: %s", format, out)
				}
				if format == logging.JSON {
					var line struct{ Body string }
					first, _, _ := strings.Cut(out, "\n")
					if err := json.Unmarshal([]byte(first), &line); err != nil || line.Body != tc.want {
						t.Fatalf("body = %q (%v), want %q", line.Body, err, tc.want)
					}
				}
			}
		})
	}
}

// TestHeaderLinesAndSignedURLs: credentials in the shapes text takes outside
// key=value pairs: header lines (a request dump, "Authorization: token …"), a
// struct printed with %+v, and the signatures of signed URLs (Azure SAS sig=,
// S3 and GCS X-…-Signature=) and Java session ids, which grant access alone.
func TestHeaderLinesAndSignedURLs(t *testing.T) {
	t.Parallel()
	const s = "hunter2s3cr3t"
	tests := []struct{ name, text, want string }{
		{"request dump", "GET / HTTP/1.1\r\nHost: api\r\nX-Api-Key: " + s + "\r\nCookie: a=1; sid=" + s + "\r\nAccept: */*\r\n",
			"GET / HTTP/1.1\r\nHost: api\r\nX-Api-Key: [REDACTED]\r\nCookie: [REDACTED]\r\nAccept: */*\r\n"},
		{"token scheme", "Authorization: token " + s, "Authorization: [REDACTED]"},
		{"bearer keeps its scheme", "Authorization: Bearer " + s, "Authorization: Bearer [REDACTED]"},
		{"struct with %+v", fmt.Sprintf("%+v", struct{ User, Password string }{"ann", s}), "{User:ann Password:[REDACTED]"},
		{"Azure SAS", "GET https://a.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=" + s + "&se=2026",
			"GET https://a.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=[REDACTED]&se=2026"},
		{"S3 presigned", "https://b.s3.amazonaws.com/k?X-Amz-Date=20261207&X-Amz-Signature=" + s, "https://b.s3.amazonaws.com/k?X-Amz-Date=20261207&X-Amz-Signature=[REDACTED]"},
		{"GCS signed", "https://storage.googleapis.com/b/o?X-Goog-Signature=" + s, "https://storage.googleapis.com/b/o?X-Goog-Signature=[REDACTED]"},
		{"jsessionid", "/app/cart;jsessionid=" + s + "?x=1", "/app/cart;jsessionid=[REDACTED]"},
		{"custom methods in paths stay", "POST /v1/token:revoke and /v2/apiKeys:lookup", "POST /v1/token:revoke and /v2/apiKeys:lookup"},
		{"plain colons stay", "dial tcp 10.0.0.1:5432: tokens: 5, token_count: 7, at 12:30", "dial tcp 10.0.0.1:5432: tokens: 5, token_count: 7, at 12:30"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, format := range []logging.Format{logging.JSON, logging.Text} {
				var buf bytes.Buffer
				l := slog.New(logging.NewHandler(&buf, &logging.Options{Format: format, ReplaceAttr: dropTime}))
				l.Info("m", "text", tc.text)
				l.Info(tc.text, "err", errors.New(tc.text))
				out := buf.String()
				if strings.Contains(out, s) {
					t.Fatalf("format %d: secret in output: %s", format, out)
				}
				if format == logging.JSON {
					var line struct{ Text string }
					first, _, _ := strings.Cut(out, "\n")
					if err := json.Unmarshal([]byte(first), &line); err != nil || !strings.HasPrefix(line.Text, tc.want) {
						t.Fatalf("text = %q (%v), want %q", line.Text, err, tc.want)
					}
				}
			}
		})
	}
}

// node is a tree node whose LogValue shows its parent and children: a cycle
// of LogValuers, as any tree with parent pointers has.
type node struct {
	name     string
	parent   *node
	children []*node
}

func (n *node) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("name", n.name)}
	if n.parent != nil {
		attrs = append(attrs, slog.Any("parent", n.parent))
	}
	for _, c := range n.children {
		attrs = append(attrs, slog.Any("child", c))
	}
	return slog.GroupValue(attrs...)
}

// TestLogValuerCycleEnds: a LogValuer whose value holds it again was resolved
// without end, until the goroutine's stack overflowed, which kills the process
// (no recover). It runs in a child process, so that the old code's crash shows
// as a failure.
func TestLogValuerCycleEnds(t *testing.T) {
	t.Parallel()
	if os.Getenv("LOGGING_CYCLE_CHILD") == "1" {
		root := &node{name: "root"}
		root.children = []*node{{name: "a", parent: root}, {name: "b", parent: root}}
		for _, format := range []logging.Format{logging.JSON, logging.Text} {
			var buf bytes.Buffer
			l := slog.New(logging.NewHandler(&buf, &logging.Options{Format: format}))
			l.Info("m", "tree", root, "password", "hunter2s3cr3t")
			l.With("tree", root).Info("m")
			if !strings.Contains(buf.String(), "too deep") || strings.Contains(buf.String(), "hunter2s3cr3t") {
				fmt.Println("unexpected output:", buf.String())
				os.Exit(1)
			}
			if len(buf.String()) > 1<<20 {
				fmt.Println("output of", len(buf.String()), "bytes")
				os.Exit(1)
			}
		}
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLogValuerCycleEnds$", "-test.timeout=60s")
	cmd.Env = append(os.Environ(), "LOGGING_CYCLE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		first, _, _ := strings.Cut(string(out), "\n\n")
		t.Fatalf("logging a cycle of LogValuers: %v\n%.2000s", err, first)
	}
}

// TestPluralSecretKeys: keys that name secrets in the plural were not secret
// keys: slog.Any("cookies", r.Cookies()) wrote every cookie's value,
// "api_keys" a list of keys. "auth" stays an ordinary key: a logger grouped
// under it (an auth subsystem's) must keep its attributes.
func TestPluralSecretKeys(t *testing.T) {
	t.Parallel()
	const s = "hunter2s3cr3t"
	for _, format := range []logging.Format{logging.JSON, logging.Text} {
		var buf bytes.Buffer
		l := slog.New(logging.NewHandler(&buf, &logging.Options{Format: format}))
		l.Info("m", "cookies", []*http.Cookie{{Name: "session", Value: s}}, "resp_cookies", []string{"id=" + s},
			"api_keys", []string{s})
		if out := buf.String(); strings.Contains(out, s) {
			t.Fatalf("format %d: secret in output: %s", format, out)
		}
		l.WithGroup("auth").Info("login", "user", "ann")
		if out := buf.String(); !strings.Contains(out, "ann") {
			t.Fatalf("format %d: the auth group lost its attributes: %s", format, out)
		}
	}
}

// TestCloudConnectionStringsAndKeyHeaders: the account keys of Azure
// connection strings (AccountKey=, SharedAccessKey=) and API keys sent in
// headers not named after tokens (Ocp-Apim-Subscription-Key, Cloudflare's
// X-Auth-Key) were written in clear.
func TestCloudConnectionStringsAndKeyHeaders(t *testing.T) {
	t.Parallel()
	const s = "aHVudGVyMnMzY3IzdA+/q=="
	for _, format := range []logging.Format{logging.JSON, logging.Text} {
		var buf bytes.Buffer
		l := slog.New(logging.NewHandler(&buf, &logging.Options{Format: format}))
		l.Error("blob upload failed", "err", errors.New("open DefaultEndpointsProtocol=https;AccountName=acme;AccountKey="+s+";EndpointSuffix=core.windows.net: denied"))
		l.Error("bus", "conn", "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey="+s)
		l.Info("m", "headers", http.Header{"Ocp-Apim-Subscription-Key": {s}, "X-Auth-Key": {s}, "Accept": {"json"}})
		out := buf.String()
		if strings.Contains(out, s) {
			t.Fatalf("format %d: secret in output: %s", format, out)
		}
		for _, want := range []string{"AccountName=acme", "SharedAccessKeyName=Root", "json"} {
			if !strings.Contains(out, want) {
				t.Fatalf("format %d: lost %s: %s", format, want, out)
			}
		}
	}
}

// rawBody is a byte slice type of its own, as HTTP and queue libraries define.
type rawBody []byte

// TestNamedByteSlicesAreRedactedAsText: a []byte is redacted as the text it
// holds, but a type of its own went through encoding/json, which writes it
// in base64: the secret reached the line encoded, decodable, and unredacted.
func TestNamedByteSlicesAreRedactedAsText(t *testing.T) {
	t.Parallel()
	const s = "hunter2s3cr3t"
	for _, format := range []logging.Format{logging.JSON, logging.Text} {
		var buf bytes.Buffer
		slog.New(logging.NewHandler(&buf, &logging.Options{Format: format})).Info("m", "body", rawBody(`{"user":"ann","password":"`+s+`"}`))
		out := buf.String()
		if strings.Contains(out, "aHVudGVyMnMzY3IzdA") || strings.Contains(out, s) || !strings.Contains(out, "ann") {
			t.Fatalf("format %d: want the body as redacted text, got %s", format, out)
		}
	}
}
